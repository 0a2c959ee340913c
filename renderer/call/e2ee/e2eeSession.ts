/**
 * The end-to-end keys of one SFU call on this device (issue 17.4): who may read
 * what this device sends, and the keys to read what the others send.
 *
 * - On start the device makes its call key (callKeys.ts) and its first media key.
 * - `setMembers` gives the other member devices (from the call snapshot). Each new
 *   one gets this device's call key (`announce`, signed; `reply: true` asks for
 *   theirs). A member's announce is checked against the userId the call gives the
 *   device (checkCallKey); one that fails is refused and the call stays "not end-to-
 *   end encrypted" for as long as that device is in it.
 * - Once both call keys are known, this device sends its media key to that device,
 *   wrapped for it (`key`). The other side does the same, so each holds the keys of
 *   every sender.
 * - Someone joining or leaving: a new media key (next key id) goes to every member at
 *   once, and this device seals with it `switchDelayMs` later (the keys arrive first).
 *   A newcomer thus never gets a key that opened earlier media, and a device that left
 *   gets none of the new one. Receivers keep a sender's previous key for a few
 *   seconds (frames in flight), then refuse it (frameCrypto.ts ReceiveKeys).
 *
 * Signals are handled one after another in arrival order (the relay keeps a
 * sender's order: its announce always precedes its key).
 */
import type { E2eeSignal } from '../../../signaling-server/protocol';
import type { DeviceIdentity } from '../../identity/deviceIdentity';
import { log } from '../../log';
import {
  checkCallKey,
  importMediaKey,
  KEY_ID_MODULUS,
  makeCallKey,
  newRawMediaKey,
  pairFileKey,
  pairWrappingKey,
  unwrapMediaKey,
  wrapMediaKey,
  type CallKey,
  type PairEnds,
} from './callKeys';

const logger = log.child('e2ee');

export interface E2eeMember {
  userId: string;
  deviceId: string;
}

/** Where keys go to be used on frames: the frame worker (FrameTransforms), or a test's fake. */
export interface FrameKeySink {
  setSendKey(keyId: number, key: CryptoKey): void;
  setReceiveKey(deviceId: string, keyId: number, key: CryptoKey): void;
  forget(deviceId: string): void;
}

export interface E2eeStatus {
  /** Every other member's device proved its key and sent its media key, and this device seals its own frames. */
  keysComplete: boolean;
  /** Member devices whose media key has not come yet. */
  waitingFor: string[];
  /** Member devices whose call key failed its check (someone may be in the middle). */
  refused: string[];
  /** The key id this device seals with now (null before the first). */
  sendKeyId: number | null;
}

/** One member device's file-transfer keys, one per direction; a new pair when it announces a new call key. */
export interface PairFileKeys {
  send: CryptoKey;
  receive: CryptoKey;
}

export interface E2eeSessionOptions {
  callId: string;
  self: Pick<DeviceIdentity, 'deviceId' | 'signE2eeKey'>;
  /** Relays one E2EE message to a member device (the `signal` event with `data.kind: 'e2ee'`). */
  send(toDeviceId: string, message: E2eeSignal): unknown;
  frames: FrameKeySink;
  /** How long after a rotation this device starts sealing with the new key (default 1 s). */
  switchDelayMs?: number;
  onStatus?(status: E2eeStatus): void;
}

interface Peer {
  member: E2eeMember;
  spki: string | null;
  /** Wraps our media keys for them / opens theirs for us. */
  outKey: CryptoKey | null;
  inKey: CryptoKey | null;
  /** Seal file-transfer messages to them / open theirs (sfu/sfuFileChannel.ts). */
  files: PairFileKeys | null;
  announced: boolean;
  gotKey: boolean;
  refused: boolean;
  /** The first key generation this device may get: one who joins never gets a key that sealed media before. */
  minGeneration: number;
}

interface MediaKey {
  /** Counts up with every key made (the key id is this modulo 256). */
  generation: number;
  id: number;
  raw: Uint8Array<ArrayBuffer>;
  key: CryptoKey;
}

export class E2eeSession {
  private readonly peers = new Map<string, Peer>();
  private current: MediaKey | null = null;
  /** A rotated key already sent, not yet sealing. */
  private pending: MediaKey | null = null;
  private switchTimer: ReturnType<typeof setTimeout> | null = null;
  private inbound: Promise<void> = Promise.resolve();
  private closed = false;
  private membersSet = false;
  private generations = 0;

  private constructor(
    private readonly options: E2eeSessionOptions,
    private readonly callKey: CallKey,
    private readonly announce: E2eeSignal & { type: 'announce' },
  ) {}

  static async start(options: E2eeSessionOptions): Promise<E2eeSession> {
    const callKey = await makeCallKey();
    const proof = await options.self.signE2eeKey({ callId: options.callId, spki: callKey.spki });
    const session = new E2eeSession(options, callKey, { type: 'announce', spki: callKey.spki, proof, reply: true });
    const first = await session.makeMediaKey(session.generations);
    session.current = first;
    options.frames.setSendKey(first.id, first.key);
    return session;
  }

  get callId(): string {
    return this.options.callId;
  }

  status(): E2eeStatus {
    const peers = [...this.peers.values()];
    const refused = peers.filter((p) => p.refused).map((p) => p.member.deviceId);
    const waitingFor = peers.filter((p) => !p.gotKey && !p.refused).map((p) => p.member.deviceId);
    return { keysComplete: this.current !== null && refused.length === 0 && waitingFor.length === 0, waitingFor, refused, sendKeyId: this.current?.id ?? null };
  }

  /** The other member devices now (this device excluded). Someone new or gone rotates this device's key. */
  setMembers(members: readonly E2eeMember[]): void {
    if (this.closed) return;
    const wanted = new Map(members.filter((m) => m.deviceId !== this.options.self.deviceId).map((m) => [m.deviceId, m]));
    let changed = false;
    const added: Peer[] = [];
    for (const [deviceId, peer] of [...this.peers]) {
      const still = wanted.get(deviceId);
      if (still && still.userId === peer.member.userId) continue;
      this.peers.delete(deviceId);
      this.options.frames.forget(deviceId);
      changed = true;
    }
    for (const [deviceId, member] of wanted) {
      if (this.peers.has(deviceId)) continue;
      const peer: Peer = { member, spki: null, outKey: null, inKey: null, files: null, announced: false, gotKey: false, refused: false, minGeneration: 0 };
      this.peers.set(deviceId, peer);
      added.push(peer);
      changed = true;
    }
    // The first member list only says who was there when this device came: its key is new anyway.
    if (changed && this.membersSet) {
      const generation = this.rotate();
      for (const peer of added) peer.minGeneration = generation;
    }
    this.membersSet = true;
    for (const peer of added) this.sendAnnounce(peer.member.deviceId, true);
    this.notify();
  }

  /**
   * The keys that seal file transfers to and from member device `deviceId`, once its
   * call key is proven (null before, or when refused). Only the two devices can
   * derive them; the server relays ciphertext.
   */
  fileKeys(deviceId: string): PairFileKeys | null {
    const peer = this.peers.get(deviceId);
    return peer && !peer.refused ? peer.files : null;
  }

  /** One relayed E2EE message from `fromDeviceId`; applied after those before it. */
  handleSignal(fromDeviceId: string, message: E2eeSignal): Promise<void> {
    this.inbound = this.inbound.then(() => this.apply(fromDeviceId, message)).catch((error: unknown) => {
      logger.error(`an E2EE ${message.type} from device ${fromDeviceId} in call ${this.options.callId} could not be applied`, error);
    });
    return this.inbound;
  }

  close(): void {
    this.closed = true;
    if (this.switchTimer !== null) clearTimeout(this.switchTimer);
    this.switchTimer = null;
  }

  private async apply(from: string, message: E2eeSignal): Promise<void> {
    if (this.closed) return;
    const peer = this.peers.get(from);
    if (!peer) {
      logger.debug(`dropped an E2EE ${message.type} from device ${from}: not a member of call ${this.options.callId} here`);
      return;
    }
    if (message.type === 'announce') {
      const check = await checkCallKey(message.spki, message.proof, { callId: this.options.callId, userId: peer.member.userId, deviceId: from });
      if (this.closed || this.peers.get(from) !== peer) return;
      if (!check.ok) {
        peer.refused = true;
        logger.warn(`refused the end-to-end key of device ${from} (user ${peer.member.userId}) in call ${this.options.callId}: ${check.reason}`);
        this.notify();
        return;
      }
      if (peer.spki !== message.spki) {
        const out: PairEnds = this.ends(this.options.self.deviceId, this.callKey.spki, from, message.spki);
        const inbound: PairEnds = this.ends(from, message.spki, this.options.self.deviceId, this.callKey.spki);
        peer.outKey = await pairWrappingKey(this.callKey, check.publicKey, out);
        peer.inKey = await pairWrappingKey(this.callKey, check.publicKey, inbound);
        peer.files = {
          send: await pairFileKey(this.callKey, check.publicKey, out),
          receive: await pairFileKey(this.callKey, check.publicKey, inbound),
        };
        peer.spki = message.spki;
        peer.refused = false;
        peer.gotKey = false;
      }
      if (message.reply || !peer.announced) this.sendAnnounce(from, false);
      for (const key of [this.current, this.pending]) if (key) await this.sendKey(peer, key);
      this.notify();
      return;
    }
    if (peer.inKey === null || peer.spki === null) {
      logger.warn(`dropped the media key ${message.keyId} of device ${from} in call ${this.options.callId}: its call key did not come first`);
      return;
    }
    const key = await unwrapMediaKey(peer.inKey, this.ends(from, peer.spki, this.options.self.deviceId, this.callKey.spki), message);
    if (key === null) {
      logger.warn(`the media key ${message.keyId} of device ${from} in call ${this.options.callId} did not open: refused`);
      return;
    }
    this.options.frames.setReceiveKey(from, message.keyId, key);
    peer.gotKey = true;
    this.notify();
  }

  private ends(fromDeviceId: string, fromSpki: string, toDeviceId: string, toSpki: string): PairEnds {
    return { callId: this.options.callId, fromDeviceId, fromSpki, toDeviceId, toSpki };
  }

  private sendAnnounce(deviceId: string, reply: boolean): void {
    const peer = this.peers.get(deviceId);
    if (peer) peer.announced = true;
    this.relay(deviceId, { ...this.announce, reply });
  }

  private async sendKey(peer: Peer, key: MediaKey): Promise<void> {
    if (peer.outKey === null || peer.spki === null || key.generation < peer.minGeneration) return;
    const ends = this.ends(this.options.self.deviceId, this.callKey.spki, peer.member.deviceId, peer.spki);
    const wrapped = await wrapMediaKey(peer.outKey, ends, key.id, key.raw);
    this.relay(peer.member.deviceId, { type: 'key', ...wrapped });
  }

  private relay(deviceId: string, message: E2eeSignal): void {
    let sent: unknown;
    try {
      sent = this.options.send(deviceId, message);
    } catch (error) {
      sent = Promise.reject(error);
    }
    if (sent instanceof Promise) {
      sent.catch((error: unknown) => {
        logger.warn(`an E2EE ${message.type} for device ${deviceId} in call ${this.options.callId} was not relayed`, error);
      });
    }
  }

  private async makeMediaKey(generation: number): Promise<MediaKey> {
    const raw = newRawMediaKey();
    return { generation, id: generation % KEY_ID_MODULUS, raw, key: await importMediaKey(raw) };
  }

  /** A new media key to everyone now; sealing with it `switchDelayMs` later. Returns its generation. */
  private rotate(): number {
    this.generations += 1;
    const generation = this.generations;
    void this.makeMediaKey(generation)
      .then(async (next) => {
        // A later rotation overtook this one while the key was made: that one is sent instead.
        if (this.closed || generation !== this.generations) return;
        this.pending = next;
        await Promise.all([...this.peers.values()].map((peer) => this.sendKey(peer, next)));
        if (this.switchTimer !== null) clearTimeout(this.switchTimer);
        this.switchTimer = setTimeout(() => {
          this.switchTimer = null;
          if (this.closed || this.pending !== next) return;
          this.current = next;
          this.pending = null;
          this.options.frames.setSendKey(next.id, next.key);
          logger.info(`call ${this.options.callId}: sealing with media key ${next.id} now`);
          this.notify();
        }, this.options.switchDelayMs ?? 1_000);
      })
      .catch((error: unknown) => {
        logger.error(`call ${this.options.callId}: the media key could not be rotated`, error);
      });
    return generation;
  }

  private notify(): void {
    this.options.onStatus?.(this.status());
  }
}
