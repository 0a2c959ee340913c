/**
 * The accept over the peer path (issue 15): a negotiated data channel 'call'
 * (id 2, beside chat 0 and files 1, see peerChannels.ts) on every pre-connected
 * peer session, which carries one message: "I accepted this call".
 *
 * Why: the server stays authoritative for the call (members, the other devices'
 * ring-ended, history), but its word reaches the caller only over two one-way
 * legs (callee → server → caller). The pre-connected session is already up while
 * it rings, so the callee also says it there and the caller attaches its tracks on
 * whichever comes first.
 *
 * Who says it: the channel runs over the session's DTLS, whose fingerprints were
 * checked against the peer's signed description (sessionPool.ts) before anything
 * was applied, so a message on it comes from the device the plan names — its
 * deviceId and userId are the plan's, never the message's. The message carries
 * only the callId it is about, checked against the call, and the media flags.
 *
 * Like the other channels, the impolite side creates its end with the session
 * (so its first offer carries the SCTP m-line), the polite side once that first
 * negotiation is done.
 */
import { z } from 'zod';
import { callIdSchema } from '../../signaling-server/protocol';
import { log } from '../log';
import { listenChannel, type DataChannelLike } from './dataChannel';
import { featureConnection, whenNegotiated } from './featureConnection';
import type { PeerConnectionLike } from './peerConnection';

const channelLog = log.child('call.accept');

export const ACCEPT_CHANNEL = { label: 'call', id: 2 } as const;

/** Larger than any valid message: anything bigger is refused unread. */
const MAX_MESSAGE_CHARS = 512;

export const peerAcceptSchema = z
  .object({
    type: z.literal('accept'),
    callId: callIdSchema,
    audio: z.boolean(),
    video: z.boolean(),
  })
  .strict();
export type PeerAccept = z.infer<typeof peerAcceptSchema>;

/** Parses one message of the channel: the accept, or why it is not one. */
export function parsePeerAccept(data: unknown): { ok: true; accept: PeerAccept } | { ok: false; why: string } {
  if (typeof data !== 'string') return { ok: false, why: 'not a text message' };
  if (data.length > MAX_MESSAGE_CHARS) return { ok: false, why: `longer than ${MAX_MESSAGE_CHARS} characters` };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, why: 'not JSON' };
  }
  const parsed = peerAcceptSchema.safeParse(json);
  if (!parsed.success) return { ok: false, why: parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ') };
  return { ok: true, accept: parsed.data };
}

/** One session's end of the channel. */
export class AcceptChannel {
  private channel: DataChannelLike | null = null;
  /** An accept asked for before the channel opened: sent on open. */
  private pending: string | null = null;
  private readonly disposers: (() => void)[] = [];
  private closed = false;

  /**
   * @param label the peer, for the log
   * @param onAccept a well-formed accept from this peer (the caller checks the callId)
   */
  constructor(
    pc: PeerConnectionLike,
    polite: boolean,
    private readonly label: string,
    private readonly onAccept: (accept: PeerAccept) => void,
  ) {
    const feature = featureConnection(pc);
    // A test's fake connection has no data channels: the server's word is all there is.
    if (!feature) return;
    const create = (): void => {
      if (this.closed) return;
      const channel = feature.createDataChannel(ACCEPT_CHANNEL.label, { negotiated: true, id: ACCEPT_CHANNEL.id, ordered: true });
      this.channel = channel;
      this.disposers.push(
        listenChannel(channel, 'open', () => this.flush()),
        listenChannel(channel, 'message', ({ data }) => this.receive(data)),
      );
      this.flush();
    };
    if (polite) this.disposers.push(whenNegotiated(feature, create));
    else create();
  }

  /** Tells the peer this device accepted `callId`; sent when the channel opens if it is not open yet. */
  sendAccept(accept: PeerAccept): void {
    if (this.closed) return;
    this.pending = JSON.stringify(accept);
    this.flush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const dispose of this.disposers.splice(0)) dispose();
    try {
      this.channel?.close();
    } catch (error) {
      channelLog.debug(`closing the accept channel to ${this.label} failed: it was closed with its connection`, error);
    }
    this.channel = null;
  }

  private flush(): void {
    const channel = this.channel;
    if (this.pending === null || !channel || channel.readyState !== 'open') return;
    const message = this.pending;
    this.pending = null;
    try {
      channel.send(message);
    } catch (error) {
      // The server's accept still goes: this path only saves time.
      channelLog.warn(`could not send the accept to ${this.label} over the peer path; the server still tells it`, error);
    }
  }

  private receive(data: unknown): void {
    const parsed = parsePeerAccept(data);
    if (!parsed.ok) {
      channelLog.warn(`ignored a message from ${this.label} on the accept channel: ${parsed.why}`);
      return;
    }
    this.onAccept(parsed.accept);
  }
}
