/**
 * The client's SFU session (renderer/call/sfu/sfuSession.ts) against a scripted
 * media server: fake peer connections (test/unit/fakes) on both sides, the
 * "server" answering publishes and offering the subscriber as Janus would.
 */
import { describe, expect, it, vi } from 'vitest';
import { SfuSession, type SfuDescription, type SfuMediaHooks, type SfuFeed, type SfuStreamInfo, type SfuSubstream, type SfuTarget, type SfuTransport } from '../../renderer/call/sfu/sfuSession';
import { FakePeerConnection, parseSdp } from '../unit/fakes/fakePeerConnection';
import { FakeMediaStreamTrack } from '../unit/fakes/fakeMedia';

interface Recorded {
  published: { feed: SfuFeed; offer: SfuDescription }[];
  unpublished: SfuFeed[];
  subscribes: number;
  answers: SfuDescription[];
  candidates: { target: SfuTarget; candidate: RTCIceCandidateInit | null }[];
  layers: { mid: string; substream: SfuSubstream }[];
}

/** A media server that answers every publish with a fake connection of its own. */
function scriptedServer(): { transport: SfuTransport; recorded: Recorded; server: FakePeerConnection[] } {
  const recorded: Recorded = { published: [], unpublished: [], subscribes: 0, answers: [], candidates: [], layers: [] };
  const server: FakePeerConnection[] = [];
  const transport: SfuTransport = {
    async publish(feed, offer) {
      recorded.published.push({ feed, offer });
      const pc = new FakePeerConnection({}, { autoIce: false });
      server.push(pc);
      await pc.setRemoteDescription(offer);
      await pc.setLocalDescription();
      const answer = pc.localDescription;
      if (!answer) throw new Error('no answer');
      return { type: 'answer', sdp: answer.sdp };
    },
    async unpublish(feed) {
      recorded.unpublished.push(feed);
    },
    async subscribe() {
      recorded.subscribes += 1;
    },
    async answer(answer) {
      recorded.answers.push(answer);
    },
    async candidate(target, candidate) {
      recorded.candidates.push({ target, candidate });
    },
    async layer(mid, substream) {
      recorded.layers.push({ mid, substream });
    },
  };
  return { transport, recorded, server };
}

/** The server's subscriber offer for `devices` (audio + video each), and which mid carries what. */
async function subscriberOffer(devices: string[]): Promise<{ offer: SfuDescription; streams: SfuStreamInfo[] }> {
  const pc = new FakePeerConnection({}, { autoIce: false });
  for (let i = 0; i < devices.length; i += 1) {
    pc.addTransceiver('audio', { direction: 'sendonly' });
    pc.addTransceiver('video', { direction: 'sendonly' });
  }
  await pc.setLocalDescription();
  const sdp = pc.localDescription?.sdp ?? '';
  const mlines = parseSdp(sdp).mlines;
  const streams = mlines.map((m, i): SfuStreamInfo => ({ mid: m.mid, deviceId: devices[Math.floor(i / 2)] as string, feed: 'camera', kind: m.kind }));
  return { offer: { type: 'offer', sdp }, streams };
}

function session(
  transport: SfuTransport,
  kinds: ('audio' | 'video')[] = ['audio', 'video'],
  extra: { hooks?: SfuMediaHooks; created?(pc: FakePeerConnection, index: number): void } = {},
) {
  const pcs: FakePeerConnection[] = [];
  const inits: RTCRtpTransceiverInit[] = [];
  const onChange = vi.fn();
  const sfu = new SfuSession<FakePeerConnection>({
    callId: 'call-1',
    transport,
    ...(extra.hooks ? { hooks: extra.hooks } : {}),
    createPeerConnection: () => {
      const pc = new FakePeerConnection();
      extra.created?.(pc, pcs.length);
      const add = pc.addTransceiver.bind(pc);
      pc.addTransceiver = (kind, init) => {
        inits.push(init ?? {});
        return add(kind, init);
      };
      pcs.push(pc);
      return pc;
    },
    rtcConfiguration: async () => ({ iceServers: [] }),
    createStream: (tracks) => ({ getTracks: () => tracks, id: `stream-${tracks.map((t) => t.id).join('+')}` }) as unknown as MediaStream,
    kinds,
    onChange,
  });
  return { sfu, pcs, inits, onChange };
}

const settle = (ms = 30): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (check()) return;
    await settle(10);
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('the SFU session', () => {
  it('publishes microphone and camera sendonly, the camera in three simulcast layers (h/m/l, 1/2/4), and subscribes', async () => {
    const { transport, recorded } = scriptedServer();
    const { sfu, pcs, inits } = session(transport);
    const mic = new FakeMediaStreamTrack('audio');
    const cam = new FakeMediaStreamTrack('video');
    sfu.start({ audio: mic, video: cam });
    await until('the camera feed is published', () => recorded.published.length === 1);
    expect(recorded.subscribes).toBe(1);
    expect(recorded.published[0]?.feed).toBe('camera');
    expect(inits.map((i) => i.direction)).toEqual(['sendonly', 'sendonly']);
    expect(inits[0]?.sendEncodings).toBeUndefined();
    expect(inits[1]?.sendEncodings).toEqual([
      { rid: 'h', scaleResolutionDownBy: 1 },
      { rid: 'm', scaleResolutionDownBy: 2 },
      { rid: 'l', scaleResolutionDownBy: 4 },
    ]);
    const publisher = pcs[0] as FakePeerConnection;
    await until('the answer is applied', () => publisher.signalingState === 'stable' && publisher.remoteDescription !== null);
    const senders = publisher.getTransceivers().map((t) => t.sender.track);
    expect(senders).toEqual([mic, cam]);
    sfu.close();
  });

  it('sends its publisher candidates only after the publish ack, then straight away', async () => {
    const { transport, recorded } = scriptedServer();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const publish = transport.publish;
    transport.publish = async (feed, offer) => {
      await held;
      return publish(feed, offer);
    };
    const { sfu } = session(transport, ['audio']);
    sfu.start({ audio: new FakeMediaStreamTrack('audio'), video: null });
    await settle(100);
    expect(recorded.candidates.filter((c) => c.target === 'camera')).toEqual([]);
    release();
    await until('the held candidates went out', () => recorded.candidates.some((c) => c.target === 'camera'));
    sfu.close();
  });

  it('replaces tracks on the publisher for mute, camera switch and device switch, without a new publish', async () => {
    const { transport, recorded } = scriptedServer();
    const { sfu, pcs } = session(transport);
    sfu.start({ audio: new FakeMediaStreamTrack('audio'), video: new FakeMediaStreamTrack('video') });
    await until('published', () => recorded.published.length === 1 && (pcs[0]?.remoteDescription ?? null) !== null);
    const other = new FakeMediaStreamTrack('video');
    sfu.setTrack('video', other);
    sfu.setTrack('audio', null);
    await settle();
    const [audio, video] = (pcs[0] as FakePeerConnection).getTransceivers();
    expect(video?.sender.track).toBe(other);
    expect(audio?.sender.track).toBeNull();
    expect(recorded.published).toHaveLength(1);
    sfu.close();
  });

  it('answers the subscriber offer, groups the tracks per device, and asks high for the large tile, low for the rest', async () => {
    const { transport, recorded } = scriptedServer();
    const { sfu, onChange } = session(transport);
    sfu.start({ audio: null, video: null });
    const { offer, streams } = await subscriberOffer(['dev-b', 'dev-c']);
    sfu.setLarge('dev-b');
    sfu.handleOffer(offer, streams);
    await until('the answer went out', () => recorded.answers.length === 1);
    await until('layers were chosen', () => recorded.layers.length === 2);
    expect(recorded.answers[0]?.type).toBe('answer');
    const remotes = sfu.remoteStreams();
    expect([...remotes.keys()].sort()).toEqual(['dev-b', 'dev-c']);
    expect(remotes.get('dev-b')?.camera?.getTracks().map((t) => t.kind)).toEqual(['audio', 'video']);
    expect(remotes.get('dev-b')?.screen).toBeNull();
    expect(onChange).toHaveBeenCalled();
    const videoMid = (device: string): string => streams.find((s) => s.deviceId === device && s.kind === 'video')?.mid ?? '';
    expect(recorded.layers).toEqual(
      expect.arrayContaining([
        { mid: videoMid('dev-b'), substream: 2 },
        { mid: videoMid('dev-c'), substream: 0 },
      ]),
    );
    // The large tile moves to C: B goes low, C high; nothing is sent twice.
    sfu.setLarge('dev-c');
    await settle();
    expect(recorded.layers.slice(2)).toEqual(
      expect.arrayContaining([
        { mid: videoMid('dev-b'), substream: 0 },
        { mid: videoMid('dev-c'), substream: 2 },
      ]),
    );
    sfu.setLarge('dev-c');
    await settle();
    expect(recorded.layers).toHaveLength(4);
    sfu.close();
  });

  it('hooks every subscribed receiver (frame decryption) before it makes its answer: Chromium leaves a receiver transform set later unapplied', async () => {
    const { transport, recorded } = scriptedServer();
    const order: string[] = [];
    const { sfu, pcs } = session(transport, ['audio', 'video'], {
      hooks: { receiver: (_receiver, stream) => order.push(`receiver ${stream.deviceId} ${stream.kind}`) },
      created: (pc, index) => {
        const setLocal = pc.setLocalDescription.bind(pc);
        pc.setLocalDescription = (description) => {
          order.push(`setLocalDescription(${index})`);
          return setLocal(description);
        };
      },
    });
    sfu.start({ audio: null, video: null });
    const { offer, streams } = await subscriberOffer(['dev-b']);
    sfu.handleOffer(offer, streams);
    await until('the answer went out', () => recorded.answers.length === 1);
    const subscriber = pcs.findIndex((pc) => pc.remoteDescription?.type === 'offer');
    const answering = order.indexOf(`setLocalDescription(${subscriber})`);
    expect(answering).toBeGreaterThan(-1);
    expect(order.slice(0, answering).filter((o) => o.startsWith('receiver')).sort()).toEqual(['receiver dev-b audio', 'receiver dev-b video']);
    sfu.close();
  });

  it('hooks a receiver again when the media server gives its mid to another device’s feed (Janus reuses emptied m-lines), and only then', async () => {
    const { transport, recorded } = scriptedServer();
    const hooked: string[] = [];
    const { sfu } = session(transport, ['audio', 'video'], { hooks: { receiver: (_receiver, stream) => hooked.push(`${stream.mid} ${stream.deviceId}`) } });
    sfu.start({ audio: null, video: null });
    const { offer, streams } = await subscriberOffer(['dev-b']);
    sfu.handleOffer(offer, streams);
    await until('the first answer went out', () => recorded.answers.length === 1);
    // B left; C's feed came on the same two m-lines.
    const reused = streams.map((s) => ({ ...s, deviceId: 'dev-c' }));
    sfu.handleOffer(offer, reused);
    await until('the second answer went out', () => recorded.answers.length === 2);
    sfu.handleOffer(offer, reused);
    await until('the third answer went out', () => recorded.answers.length === 3);
    expect(hooked).toEqual([...streams.map((s) => `${s.mid} dev-b`), ...streams.map((s) => `${s.mid} dev-c`)]);
    sfu.close();
  });

  it('publishes a shared screen as its own feed, one encoding, and unpublishes it when sharing stops', async () => {
    const { transport, recorded } = scriptedServer();
    const { sfu, inits } = session(transport);
    sfu.start({ audio: null, video: null });
    await until('camera published', () => recorded.published.length === 1);
    sfu.setScreen(new FakeMediaStreamTrack('video'));
    await until('screen published', () => recorded.published.some((p) => p.feed === 'screen'));
    expect(inits[2]).toEqual({ direction: 'sendonly' });
    sfu.setScreen(null);
    await until('screen unpublished', () => recorded.unpublished.includes('screen'));
    sfu.close();
  });

  it('publishes and subscribes again after a restart, with the same tracks; the old connections are closed', async () => {
    const { transport, recorded } = scriptedServer();
    const { sfu, pcs } = session(transport);
    const mic = new FakeMediaStreamTrack('audio');
    sfu.start({ audio: mic, video: null });
    await until('published', () => recorded.published.length === 1);
    sfu.restart('janus went away');
    await until('published again', () => recorded.published.length === 2);
    expect(recorded.subscribes).toBe(2);
    expect(pcs[0]?.connectionState).toBe('closed');
    await until('the new publisher carries the microphone', () => pcs[1]?.getTransceivers()[0]?.sender.track === mic);
    sfu.close();
  });

  it('refuses an answer where an offer belongs, and says so', async () => {
    const { transport, recorded } = scriptedServer();
    const onTrouble = vi.fn();
    const sfu = new SfuSession<FakePeerConnection>({
      callId: 'call-1',
      transport,
      createPeerConnection: () => new FakePeerConnection(),
      rtcConfiguration: async () => ({}),
      createStream: () => ({}) as MediaStream,
      kinds: ['audio'],
      onChange: () => undefined,
      onTrouble,
    });
    sfu.handleOffer({ type: 'answer', sdp: 'v=0' }, []);
    await until('the trouble is told', () => onTrouble.mock.calls.length === 1);
    expect(recorded.answers).toEqual([]);
    sfu.close();
  });
});
