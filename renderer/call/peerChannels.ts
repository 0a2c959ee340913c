/**
 * The two data channels of every peer session: 'chat' (id 0) and 'files' (id 1).
 *
 * They are negotiated (`negotiated: true` with fixed ids, webrtc-pc §6.2): both
 * ends create them and no in-band open handshake or extra offer is needed. The side
 * that makes the first offer (the impolite one, see sessionPool) creates them with
 * its transceivers, so the first offer carries the SCTP m-line; the polite side
 * creates its ends once that negotiation is done. Creating them earlier there would
 * fire negotiationneeded and start a glare for nothing.
 *
 * The channels exist from the ring on, because the session does. Nothing is sent
 * or taken over them before both ends are call members (the session plan's `send`,
 * which is what lets media flow too): until then a link is not "ready", its
 * consumers do not see it, and text arriving early waits (a few messages at most)
 * for the moment it becomes ready — the other side can be a member a moment before
 * this side has heard so.
 */
import { log } from '../log';
import { listenChannel, type DataChannelLike } from './dataChannel';
import { whenNegotiated, type FeaturePeerConnection } from './featureConnection';

export const CHAT_CHANNEL = { label: 'chat', id: 0 } as const;
export const FILES_CHANNEL = { label: 'files', id: 1 } as const;
/** Messages held for a link that is not ready yet. */
const MAX_EARLY_MESSAGES = 32;

/** A peer both ends may exchange chat and files with now. */
export interface ReadyLink {
  deviceId: string;
  userId: string;
  chat: DataChannelLike;
  files: DataChannelLike;
}

export interface LinkConsumer {
  ready(link: ReadyLink): void;
  gone(deviceId: string): void;
  chat(link: ReadyLink, data: unknown): void;
  files(link: ReadyLink, data: unknown): void;
}

interface Link {
  deviceId: string;
  userId: string;
  allowed: boolean;
  chat: DataChannelLike | null;
  files: DataChannelLike | null;
  ready: ReadyLink | null;
  early: { channel: 'chat' | 'files'; data: unknown }[];
  disposers: (() => void)[];
}

export class PeerChannels {
  private readonly links = new Map<string, Link>();

  constructor(private readonly consumer: LinkConsumer) {}

  /** A session's connection exists: set up its channels. `allowed`: the plan lets us send to it. */
  open(deviceId: string, userId: string, pc: FeaturePeerConnection, polite: boolean, allowed: boolean): void {
    this.close(deviceId);
    const link: Link = { deviceId, userId, allowed, chat: null, files: null, ready: null, early: [], disposers: [] };
    this.links.set(deviceId, link);
    const create = (): void => {
      if (this.links.get(deviceId) !== link) return;
      link.chat = this.channel(link, pc, 'chat');
      link.files = this.channel(link, pc, 'files');
      this.check(link);
    };
    if (polite) link.disposers.push(whenNegotiated(pc, create));
    else create();
  }

  setAllowed(deviceId: string, allowed: boolean): void {
    const link = this.links.get(deviceId);
    if (!link || link.allowed === allowed) return;
    link.allowed = allowed;
    this.check(link);
  }

  close(deviceId: string): void {
    const link = this.links.get(deviceId);
    if (!link) return;
    this.links.delete(deviceId);
    for (const dispose of link.disposers.splice(0)) dispose();
    for (const channel of [link.chat, link.files]) {
      try {
        channel?.close();
      } catch (error) {
        // Already closed with its connection.
        log.child('call.channels').debug(`closing a data channel to device ${deviceId} failed: it was closed already`, error);
      }
    }
    if (link.ready) this.consumer.gone(deviceId);
  }

  closeAll(): void {
    for (const deviceId of [...this.links.keys()]) this.close(deviceId);
  }

  readyLinks(): ReadyLink[] {
    return [...this.links.values()].flatMap((l) => (l.ready ? [l.ready] : []));
  }

  private channel(link: Link, pc: FeaturePeerConnection, which: 'chat' | 'files'): DataChannelLike {
    const spec = which === 'chat' ? CHAT_CHANNEL : FILES_CHANNEL;
    const channel = pc.createDataChannel(spec.label, { negotiated: true, id: spec.id, ordered: true });
    channel.binaryType = 'arraybuffer';
    link.disposers.push(
      listenChannel(channel, 'open', () => this.check(link)),
      listenChannel(channel, 'close', () => {
        if (this.links.get(link.deviceId) === link && link.ready) {
          link.ready = null;
          this.consumer.gone(link.deviceId);
        }
      }),
      listenChannel(channel, 'message', ({ data }) => {
        if (link.ready) this.deliver(link.ready, which, data);
        else if (typeof data === 'string' && link.early.length < MAX_EARLY_MESSAGES) link.early.push({ channel: which, data });
      }),
    );
    return channel;
  }

  private check(link: Link): void {
    const { chat, files } = link;
    if (link.ready || !link.allowed || !chat || !files) return;
    if (chat.readyState !== 'open' || files.readyState !== 'open') return;
    const ready: ReadyLink = { deviceId: link.deviceId, userId: link.userId, chat, files };
    link.ready = ready;
    this.consumer.ready(ready);
    for (const { channel, data } of link.early.splice(0)) this.deliver(ready, channel, data);
  }

  private deliver(link: ReadyLink, which: 'chat' | 'files', data: unknown): void {
    if (which === 'chat') this.consumer.chat(link, data);
    else this.consumer.files(link, data);
  }
}
