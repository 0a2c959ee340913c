import { describe, expect, it, vi } from 'vitest';
import { ACCEPT_CHANNEL, AcceptChannel, parsePeerAccept } from '../../../renderer/call/acceptChannel';
import type { PeerConnectionLike } from '../../../renderer/call/peerConnection';

const ACCEPT = { type: 'accept', callId: 'call-0000001', audio: true, video: false } as const;

/** One end of a negotiated channel: records what is sent; the test opens it and delivers messages. */
class Channel extends EventTarget {
  readyState: RTCDataChannelState = 'connecting';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType: BinaryType = 'blob';
  readonly sent: string[] = [];
  constructor(
    readonly label: string,
    readonly init: RTCDataChannelInit,
  ) {
    super();
  }
  send(data: string): void {
    if (this.readyState !== 'open') throw new DOMException('not open', 'InvalidStateError');
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 'closed';
  }
  open(): void {
    this.readyState = 'open';
    this.dispatchEvent(new Event('open'));
  }
  deliver(data: unknown): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }
}

function connection(signalingState: RTCSignalingState = 'stable', remote = true) {
  const channels: Channel[] = [];
  const pc = Object.assign(new EventTarget(), {
    signalingState,
    remoteDescription: remote ? { type: 'answer' as const, sdp: '' } : null,
    createDataChannel: (label: string, init: RTCDataChannelInit) => {
      const channel = new Channel(label, init);
      channels.push(channel);
      return channel;
    },
  });
  return { pc: pc as unknown as PeerConnectionLike, raw: pc, channels };
}

describe('the accept over the peer path', () => {
  it('parses only a well-formed accept, and says why it refuses anything else', () => {
    expect(parsePeerAccept(JSON.stringify(ACCEPT))).toEqual({ ok: true, accept: ACCEPT });
    const refused = [
      new ArrayBuffer(4),
      'not json',
      'x'.repeat(600),
      JSON.stringify({ ...ACCEPT, type: 'decline' }),
      JSON.stringify({ ...ACCEPT, audio: 'yes' }),
      JSON.stringify({ ...ACCEPT, callId: '' }),
      JSON.stringify({ ...ACCEPT, deviceId: 'device-evil-01' }),
    ];
    for (const data of refused) {
      const parsed = parsePeerAccept(data);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.why.length).toBeGreaterThan(0);
    }
  });

  it('the impolite side opens its negotiated end at once; an accept asked before it opens goes out on open', () => {
    const { pc, channels } = connection();
    const heard = vi.fn();
    const end = new AcceptChannel(pc, false, 'device x', heard);
    expect(channels).toHaveLength(1);
    const channel = channels[0] as Channel;
    expect(channel.label).toBe(ACCEPT_CHANNEL.label);
    expect(channel.init).toMatchObject({ negotiated: true, id: ACCEPT_CHANNEL.id });
    end.sendAccept(ACCEPT);
    expect(channel.sent).toEqual([]);
    channel.open();
    expect(channel.sent.map((m) => JSON.parse(m) as unknown)).toEqual([ACCEPT]);

    channel.deliver(JSON.stringify(ACCEPT));
    channel.deliver('{"type":"accept"}');
    expect(heard).toHaveBeenCalledTimes(1);
    expect(heard).toHaveBeenCalledWith(ACCEPT);
    end.close();
    channel.deliver(JSON.stringify(ACCEPT));
    expect(heard).toHaveBeenCalledTimes(1);
    expect(channel.readyState).toBe('closed');
  });

  it('the polite side creates its end only once the first negotiation is done', () => {
    const { pc, raw, channels } = connection('have-remote-offer', false);
    const end = new AcceptChannel(pc, true, 'device y', () => undefined);
    expect(channels).toHaveLength(0);
    Object.assign(raw, { signalingState: 'stable', remoteDescription: { type: 'offer', sdp: '' } });
    raw.dispatchEvent(new Event('signalingstatechange'));
    expect(channels).toHaveLength(1);
    end.close();
  });

  it('a fake connection without data channels is left alone (the server tells the accept)', () => {
    const pc = new EventTarget() as unknown as PeerConnectionLike;
    const end = new AcceptChannel(pc, false, 'device z', () => undefined);
    expect(() => end.sendAccept(ACCEPT)).not.toThrow();
    end.close();
  });
});
