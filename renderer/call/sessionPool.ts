/**
 * The peer sessions of the current call, kept in line with the session plan: one
 * per remote device, created when the plan gains a device and closed when it loses
 * one (a ringing device that stopped ringing, a member who left).
 *
 * Creating a session waits for the RTC configuration (an 'ice:servers' round
 * trip), and a remote device may signal before our plan knows it (its offer can
 * overtake the snapshot that names it). Both are covered by queueing signals:
 * per session until its connection exists, and per (call, device) until the plan
 * names the device.
 *
 * Each session's media path is watched by an IceRecovery (iceRecovery.ts), which
 * restarts ICE when it breaks. Recovery is held for a peer the signaling path
 * cannot reach (our socket is down, or the server says theirs is): the engine says
 * which through `setHeld`. A description whose relay failed is sent again once the
 * path is back, so a negotiation cut in half does not stay stuck in have-local-offer.
 *
 * Media the server cannot intercept (identity.ts): every offer and answer this
 * device sends carries its signature over the SDP's DTLS fingerprints (`proof`),
 * and every one it receives is checked against the userId the call snapshot gives
 * that device before it is applied. The check is asynchronous, so each peer's
 * signals pass through a queue of their own and are applied in the order they
 * came, candidates behind the description they follow; the same holds for the
 * signing of what is sent. A description that fails is not applied: the session
 * is closed and not opened again for the rest of the call (`onUnverified` says
 * what that means for the call). Before it closes, the session shows the peer its
 * own signed description (the one it sent, or a fresh offer), so that a relay that
 * rewrites fingerprints both ways is caught at both ends, not only at the first.
 * What the server says about the call after such a description (the caller gave up,
 * the ring ended) waits for its check (`afterChecks`): a call that could not be
 * verified is not shown as merely missed because the check took a moment.
 *
 * The recovery ladder (recoveryLadder.ts, issue 14): every negotiation error is
 * logged with call, device and step; a rejected description is rolled back and the
 * link recovered, and so is one whose inbound media stopped while connected (the
 * media watchdog, mediaWatchdog.ts). Only the impolite side restarts ICE and
 * rebuilds; the polite side asks it through a `recovery` signal. A rebuild replaces
 * the session's RTCPeerConnection for the same call and peer: the impolite side
 * tells the peer (`rebuild`, its fresh offer follows), the polite side makes a fresh
 * one too and says so (`rebuilt`); what the impolite side receives in between came
 * from the old connection and is dropped. The new connection goes through the same
 * path as the first: pre-connect, the tracks put back with replaceTrack, the hooks'
 * features (data channels, screens) opened again, every description signed and
 * checked. The tile reads "reconnecting" meanwhile; the call goes on.
 *
 * The caller's first offer (issue 15): a caller may make its connection and offer
 * before the call exists (`makeFirstOffer`), so that the offer travels inside
 * `call:invite` and reaches a ringing device with the ring, instead of crossing
 * the server after it. The connection waits here until the invite's ack names the
 * device that got it (`firstOfferTaken`), and becomes that device's session when
 * the plan opens it: same checks, same hooks, the candidates gathered meanwhile
 * trickled then. On the ringing device the offer comes with `call:incoming`
 * (`receiveFirstOffer`) and is applied like any description, after its proof,
 * which binds the callee's userId instead of a call and device that did not exist
 * yet (identity.ts `dtlsFirstOfferMessage`). For that pair the caller made the
 * first offer, so for the rest of the call the caller is its impolite side and
 * the ringing device its polite side, whatever the id rule says (`pinned`): both
 * learned it from the server in the same step, so they agree.
 */
import { checkDtlsProof, type DtlsCheck } from '../../signaling-server/identity';
import { AcceptChannel, type PeerAccept } from './acceptChannel';
import type { FirstOffer, SignalData } from '../../signaling-server/protocol';
import type { DeviceIdentity } from '../identity/deviceIdentity';
import { log } from '../log';
import type { CallEvent } from './callState';
import { IceRecovery, realTimers, type IceRecoveryPolicy, type Timers } from './iceRecovery';
import { MediaWatchdog, type MediaWatchdogPolicy } from './mediaWatchdog';
import { listen, type IceCandidateLike, type MediaKind, type PeerConnectionLike } from './peerConnection';
import { PeerSession, type NegotiationStep } from './peerSession';
import { RecoveryLadder, type RecoveryLadderPolicy, type Trouble } from './recoveryLadder';
import type { SessionHook, SessionHooks } from './sessionHooks';
import type { PlannedSession } from './sessionPlan';
import { t } from '../i18n';

const peerLog = log.child('call.peer');

/** Signals held for devices the plan does not name yet, across all of them. */
const MAX_EARLY_SIGNALS = 256;

/** What a person is told when ICE recovery gave a connection up. */
export const CONNECTION_LOST = 'Connection lost';

/** This device's side of the DTLS proofs: its ids (what it receives is meant for them) and its signatures. */
export type DtlsSigner = Pick<DeviceIdentity, 'userId' | 'deviceId' | 'signDtls' | 'signFirstOffer'>;

/**
 * How long a first offer waits for its host candidates before it leaves: it goes
 * once the candidates stop coming for FIRST_OFFER_QUIET_MS, or gathering ends, and
 * never later than FIRST_OFFER_MAX_WAIT_MS after it was made (the invite, and so
 * the ring, waits for it). What comes later is trickled once the ack names the device.
 */
export const FIRST_OFFER_QUIET_MS = 20;
export const FIRST_OFFER_MAX_WAIT_MS = 100;

/** Why a peer's description was refused (identity.ts checkDtlsProof). */
export type DtlsFailure = Extract<DtlsCheck, { ok: false }>['reason'];

type DescriptionSignal = Extract<SignalData, { kind: 'description' }>;

/** Offers, answers and provisional answers carry fingerprints; a rollback has none to sign or check. */
function carriesFingerprints(data: SignalData): data is DescriptionSignal {
  return data.kind === 'description' && data.description.type !== 'rollback';
}

export interface LocalTracks {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
}

export interface SessionPoolOptions<PC extends PeerConnectionLike> {
  createPeerConnection(config: RTCConfiguration): PC;
  /** The configuration for this call's connections (fetched once per call). */
  rtcConfiguration(): Promise<RTCConfiguration>;
  /** Relays a signal; if it returns a promise, one that rejects marks a description as not delivered. */
  sendSignal(callId: string, to: string, data: SignalData): unknown;
  createStream(tracks: MediaStreamTrack[]): MediaStream;
  dispatch(event: CallEvent): void;
  now(): number;
  /** A session could not be set up, or ICE recovery gave it up; `detail` says why. */
  onSessionLost?(deviceId: string, detail: string): void;
  /** Signs every description sent (this device's identity). */
  signer: DtlsSigner;
  /**
   * A description from `peer` failed its check: not applied, its session closed for
   * the rest of the call. Called once this side's own description went out.
   */
  onUnverified?(callId: string, peer: PlannedSession, reason: DtlsFailure): void;
  timers?: Timers;
  recoveryPolicy?: Partial<IceRecoveryPolicy>;
  /** The in-call features (data channels, screen sharing) follow each session through these. */
  hooks?: SessionHooks<PC>;
  /** What `deviceId` sends now (its member flags in the call snapshot); without it no stall is watched. */
  remoteSends?(deviceId: string): Readonly<Record<MediaKind, boolean>>;
  ladderPolicy?: Partial<RecoveryLadderPolicy>;
  watchdogPolicy?: Partial<MediaWatchdogPolicy>;
  /** A peer said over the session's own channel that it accepted (acceptChannel.ts); `peer` is who the plan says it is. */
  onPeerAccept?(callId: string, peer: PlannedSession, accept: PeerAccept): void;
}

const NOTHING_SENT: Readonly<Record<MediaKind, boolean>> = { audio: false, video: false };

/** A caller's first offer and its connection, before the call exists (see the file's comment). */
interface FirstOfferLink<PC extends PeerConnectionLike> {
  toUserId: string;
  pc: PC;
  config: RTCConfiguration;
  accept: AcceptChannel | null;
  /** Candidates the offer's SDP does not carry (and the end of them): trickled once the device is known. */
  later: (IceCandidateLike | null)[];
  sdpTaken: boolean;
  stopListening: () => void;
  /** The call and ringing device the invite's ack gave it to. */
  taken: { callId: string; deviceId: string } | null;
  /** The session entry it became (its accept channel reports there). */
  entry: Entry<PC> | null;
}

interface Entry<PC extends PeerConnectionLike> {
  plan: PlannedSession;
  callId: string;
  session: PeerSession<PC> | null;
  queue: SignalData[];
  remoteTracks: MediaStreamTrack[];
  closed: boolean;
  recovery: IceRecovery | null;
  stopWatching: (() => void) | null;
  /** The configuration the connection uses now (an ICE restart may refresh it). */
  config: RTCConfiguration | null;
  /** Recovery is held for this peer (see setHeld). */
  held: boolean;
  /** The last description sent to this peer did not reach the server. */
  unsent: boolean;
  /** A candidate sent to this peer did not reach the server. */
  lostCandidates: boolean;
  sentDescriptions: number;
  hook: SessionHook | null;
  /** The accept over the peer path (acceptChannel.ts). */
  accept: AcceptChannel | null;
  /** What this peer sent, checked and applied in order (see the file's comment). */
  inbound: Promise<void>;
  /** What is sent to this peer, signed and relayed in order. */
  outbound: Promise<void>;
  ladder: RecoveryLadder;
  watchdog: MediaWatchdog | null;
  /** Rebuilds of this link so far (the `epoch` of recovery signals). */
  epoch: number;
  /** This side rebuilt (epoch) and waits for the peer's `rebuilt`: what it sends until then is stale. */
  awaitingRebuilt: number | null;
  /** Gives up waiting for `rebuilt` (see REBUILT_TIMEOUT_MS). */
  rebuiltTimer: unknown;
}

/**
 * How long the impolite side waits for the peer's `rebuilt` before it counts the
 * rebuild as failed (a signal lost on the way): the ladder rebuilds again, or gives
 * up once its rebuilds are spent, rather than dropping the peer's signals forever.
 */
export const REBUILT_TIMEOUT_MS = 10_000;

export class SessionPool<PC extends PeerConnectionLike> {
  private callId: string | null = null;
  private readonly entries = new Map<string, Entry<PC>>();
  private early: { callId: string; from: string; data: SignalData }[] = [];
  private kinds: readonly MediaKind[] = [];
  private plan: readonly PlannedSession[] = [];
  private tracks: LocalTracks = { audio: null, video: null };
  /** Devices of this call whose description failed its check: never connected again in it. */
  private refused = new Set<string>();
  /** Descriptions received and not yet checked (or refused and not yet reported): see afterChecks. */
  private checking = 0;
  private afterChecking: (() => void)[] = [];
  /** The caller's first offer waiting for its device (see the file's comment). */
  private firstOffer: FirstOfferLink<PC> | null = null;
  /** Pairs whose first offer came with the ring: whether I am the polite side, for the call. */
  private pinned: { callId: string; deviceId: string; polite: boolean }[] = [];
  /** Descriptions that are a caller's first offer: their proof names the callee's user, not a call. */
  private readonly firstOffers = new WeakSet<SignalData>();

  constructor(private readonly options: SessionPoolOptions<PC>) {}

  /** Brings the sessions in line with `plan`; `callId` null while a dial awaits its ack. */
  sync(callId: string | null, plan: readonly PlannedSession[], kinds: readonly MediaKind[], tracks: LocalTracks): void {
    if (callId !== this.callId) {
      // Early signals survive the dial's ack (null → callId): that is what they wait for.
      for (const entry of [...this.entries.values()]) this.close(entry);
      if (callId !== null) this.refused = new Set();
      this.callId = callId;
      if (callId !== null) {
        this.early = this.early.filter((s) => s.callId === callId);
        this.pinned = this.pinned.filter((p) => p.callId === callId);
        // Untaken, it waits for its invite's ack (a call:updated may come first).
        if (this.firstOffer?.taken && this.firstOffer.taken.callId !== callId) this.dropFirstOffer(`the call is now ${callId}`);
      }
    }
    this.kinds = kinds;
    this.tracks = tracks;
    this.plan = plan;
    const wanted = new Map(plan.map((p) => [p.deviceId, p]));
    for (const [deviceId, entry] of [...this.entries]) {
      if (!wanted.has(deviceId)) this.close(entry);
    }
    if (callId === null) return;
    // Until the invite's ack says which of the callee's devices got the first offer, none
    // of them is connected (the call's first snapshot may come before the ack).
    const awaitingAck = this.firstOffer !== null && this.firstOffer.taken === null ? this.firstOffer.toUserId : null;
    for (const planned of plan) {
      if (this.refused.has(planned.deviceId) || planned.userId === awaitingAck) continue;
      const pin = this.pinned.find((q) => q.callId === callId && q.deviceId === planned.deviceId);
      const p = pin ? { ...planned, polite: pin.polite } : planned;
      const entry = this.entries.get(p.deviceId);
      if (entry) {
        entry.plan = p;
        this.applyTracks(entry);
        entry.hook?.planChanged(p);
      } else {
        this.open(callId, p);
      }
    }
  }

  /** Routes a relayed signal to its session, or holds it until the session exists. */
  deliver(callId: string, from: string, data: SignalData): void {
    if (this.callId !== null && callId !== this.callId) return;
    if (callId === this.callId && this.refused.has(from)) {
      peerLog.debug(`dropped a ${data.kind} from device ${from} in call ${callId}: its description failed its check`);
      return;
    }
    const entry = this.entries.get(from);
    if (entry && entry.callId === callId) {
      if (entry.session) this.receive(entry, data);
      else entry.queue.push(data);
      return;
    }
    if (this.early.length >= MAX_EARLY_SIGNALS) this.early.shift();
    this.early.push({ callId, from, data });
  }

  /**
   * Makes the caller's first offer to `toUserId` (see the file's comment): a
   * connection with the call's transceivers and the accept channel, its offer with
   * the host candidates gathered soon, signed for that user. Null when it could not
   * be made (logged): the call then connects the usual way. A new one replaces any
   * first offer still waiting.
   */
  async makeFirstOffer(toUserId: string, kinds: readonly MediaKind[], config: RTCConfiguration): Promise<FirstOffer | null> {
    this.dropFirstOffer('a new call is dialled');
    let pc: PC;
    try {
      pc = this.options.createPeerConnection(config);
    } catch (error) {
      peerLog.warn(`could not make a connection for a first offer to ${toUserId}; the call connects the usual way`, error);
      return null;
    }
    const link: FirstOfferLink<PC> = {
      toUserId,
      pc,
      config,
      accept: null,
      later: [],
      sdpTaken: false,
      stopListening: () => undefined,
      taken: null,
      entry: null,
    };
    this.firstOffer = link;
    const gathered = this.gatherSoon(link);
    try {
      for (const kind of kinds) pc.addTransceiver(kind, { direction: 'sendrecv' });
      // The first data channel puts the SCTP m-line in the offer; the hooks' channels join it later, with no new offer.
      link.accept = new AcceptChannel(pc, false, `the device of ${toUserId} that got my first offer`, (accept) => {
        if (link.entry) this.peerAccepted(link.entry, accept);
        else peerLog.warn(`an accept came on my first offer's channel before the invite's ack named the device: ignored`);
      });
      await pc.setLocalDescription();
      await gathered;
      if (this.firstOffer !== link) return null;
      const sdp = pc.localDescription?.sdp;
      if (pc.localDescription?.type !== 'offer' || !sdp) throw new Error(`the connection has no offer (${pc.signalingState})`);
      link.sdpTaken = true;
      // A candidate the SDP does not carry yet (it came as the offer was taken) follows by trickle.
      link.later = link.later.filter((c) => c === null || !sdp.includes(c.candidate));
      const proof = await this.options.signer.signFirstOffer({ sdp, toUserId });
      return this.firstOffer === link ? { sdp, proof } : null;
    } catch (error) {
      peerLog.warn(`could not make a first offer to ${toUserId}; the call connects the usual way`, error);
      if (this.firstOffer === link) this.dropFirstOffer('it could not be made');
      return null;
    }
  }

  /**
   * The invite's ack: the ringing device `deviceId` of call `callId` got the first
   * offer, so its session will be that connection; null (no device got it, the
   * invite failed, the dial was given up): the connection is closed.
   */
  firstOfferTaken(callId: string | null, deviceId: string | null): void {
    const link = this.firstOffer;
    if (!link) return;
    if (callId === null || deviceId === null) {
      this.dropFirstOffer('no ringing device took it');
    } else {
      link.taken = { callId, deviceId };
      this.pinned.push({ callId, deviceId, polite: false });
    }
    // The callee's devices the plan held back for the ack (see sync) connect now.
    if (this.callId !== null && this.callId === callId) this.sync(this.callId, this.plan, this.kinds, this.tracks);
  }

  /**
   * A caller's first offer came with the ring of `callId` from its device `from`
   * (see the file's comment): applied like any description once its proof checks
   * out, and from then on this device is the polite side towards `from`. Before
   * the ring's state change, so the session opens with that role.
   */
  receiveFirstOffer(callId: string, from: string, offer: FirstOffer): void {
    const data: SignalData = { kind: 'description', description: { type: 'offer', sdp: offer.sdp }, proof: offer.proof };
    this.firstOffers.add(data);
    this.pinned = [...this.pinned.filter((p) => p.callId === callId && p.deviceId !== from), { callId, deviceId: from, polite: true }];
    this.deliver(callId, from, data);
  }

  /**
   * Runs `next` once every description received so far has been checked (and a
   * refusal reported through onUnverified): at once when none is pending. In order.
   */
  afterChecks(next: () => void): void {
    if (this.checking === 0 && this.afterChecking.length === 0) next();
    else this.afterChecking.push(next);
  }

  /** Tells every peer of this call over its session's own channel that this device accepted (acceptChannel.ts). */
  sendAccept(accept: PeerAccept): void {
    for (const entry of this.entries.values()) {
      if (entry.callId === accept.callId) entry.accept?.sendAccept(accept);
    }
  }

  /** Sessions whose connection exists, by remote deviceId. */
  sessions(): [string, PeerSession<PC>][] {
    const out: [string, PeerSession<PC>][] = [];
    for (const [deviceId, entry] of this.entries) if (entry.session) out.push([deviceId, entry.session]);
    return out;
  }

  /**
   * Holds ICE recovery for the peers `isHeld` names and releases it for the others;
   * a released peer restarts if its connection is down, and gets again a
   * description that could not be relayed.
   */
  setHeld(isHeld: (deviceId: string) => boolean): void {
    for (const [deviceId, entry] of this.entries) {
      const held = isHeld(deviceId);
      if (held === entry.held) continue;
      entry.held = held;
      if (held) {
        entry.recovery?.hold();
        continue;
      }
      if (entry.unsent && entry.session) {
        entry.unsent = false;
        entry.session.resendLocalDescription();
      }
      const lost = entry.lostCandidates;
      entry.lostCandidates = false;
      entry.recovery?.release(lost);
    }
  }

  /** The network may have changed: every connection that is not up restarts ICE now. */
  checkConnections(): void {
    for (const entry of this.entries.values()) entry.recovery?.check();
  }

  closeAll(): void {
    for (const entry of [...this.entries.values()]) this.close(entry);
    this.callId = null;
    this.early = [];
    this.refused = new Set();
    this.pinned = [];
    this.dropFirstOffer('the call is over');
  }

  /** Closes the first offer's connection, if one waits. */
  private dropFirstOffer(why: string): void {
    const link = this.firstOffer;
    if (!link) return;
    this.firstOffer = null;
    peerLog.debug(`dropped my first offer to ${link.toUserId}: ${why}`);
    link.stopListening();
    link.accept?.close();
    link.pc.close();
  }

  /**
   * Resolves once the first offer's host candidates are in its SDP (see
   * FIRST_OFFER_QUIET_MS), and from then on keeps what comes for the trickle.
   */
  private gatherSoon(link: FirstOfferLink<PC>): Promise<void> {
    const timers = this.options.timers ?? realTimers;
    return new Promise<void>((resolve) => {
      let quiet: unknown = null;
      const done = (): void => {
        if (quiet !== null) timers.clearTimeout(quiet);
        timers.clearTimeout(cap);
        resolve();
      };
      const cap = timers.setTimeout(done, FIRST_OFFER_MAX_WAIT_MS);
      link.stopListening = listen(link.pc, 'icecandidate', ({ candidate }) => {
        link.later.push(candidate);
        if (link.sdpTaken) return;
        if (candidate === null) {
          done();
          return;
        }
        if (quiet !== null) timers.clearTimeout(quiet);
        quiet = timers.setTimeout(done, FIRST_OFFER_QUIET_MS);
      });
    });
  }

  /** The first offer's connection, if the invite's ack gave it to this entry's device (and it is not a rebuild). */
  private takeFirstOffer(entry: Entry<PC>): FirstOfferLink<PC> | null {
    const link = this.firstOffer;
    if (!link || entry.epoch !== 0 || link.taken?.callId !== entry.callId || link.taken.deviceId !== entry.plan.deviceId) return null;
    this.firstOffer = null;
    link.stopListening();
    link.entry = entry;
    return link;
  }

  private open(callId: string, plan: PlannedSession): void {
    const entry: Entry<PC> = {
      plan,
      callId,
      session: null,
      queue: [],
      remoteTracks: [],
      closed: false,
      recovery: null,
      stopWatching: null,
      config: null,
      held: false,
      unsent: false,
      lostCandidates: false,
      sentDescriptions: 0,
      hook: null,
      accept: null,
      inbound: Promise.resolve(),
      outbound: Promise.resolve(),
      ladder: new RecoveryLadder(plan.polite, this.options.ladderPolicy),
      watchdog: null,
      epoch: 0,
      awaitingRebuilt: null,
      rebuiltTimer: null,
    };
    this.entries.set(plan.deviceId, entry);
    const mine = this.early.filter((s) => s.callId === callId && s.from === plan.deviceId);
    this.early = this.early.filter((s) => !mine.includes(s));
    entry.queue.push(...mine.map((s) => s.data));
    this.options.dispatch({ type: 'linkPhase', deviceId: plan.deviceId, connection: 'new', at: this.options.now() });
    void this.connect(entry);
  }

  private async connect(entry: Entry<PC>): Promise<void> {
    const { deviceId } = entry.plan;
    // A rebuild while the configuration is fetched starts a connect of its own: this one steps aside.
    const epoch = entry.epoch;
    const stale = (): boolean => entry.closed || entry.epoch !== epoch;
    let pc: PC;
    const firstOffer = this.takeFirstOffer(entry);
    try {
      if (firstOffer) {
        pc = firstOffer.pc;
        entry.config = firstOffer.config;
      } else {
        const config = await this.options.rtcConfiguration();
        if (stale()) return;
        pc = this.options.createPeerConnection(config);
        entry.config = config;
      }
    } catch (error) {
      if (stale()) return;
      peerLog.error(`could not set up the connection to device ${deviceId} in call ${entry.callId}`, error);
      this.options.dispatch({ type: 'linkPhase', deviceId, connection: 'failed', at: this.options.now() });
      const why = error instanceof Error ? error.message : String(error);
      this.options.onSessionLost?.(deviceId, t('notices.linkSetupFailed', { reason: why }));
      return;
    }
    const session = new PeerSession<PC>({
      pc,
      polite: entry.plan.polite,
      send: (data) => this.send(entry, data),
      onError: (error, during) => void this.negotiationFailed(entry, session, error, during),
      onTrack: (track) => {
        if (entry.remoteTracks.includes(track)) return;
        entry.remoteTracks.push(track);
        const stream = this.options.createStream([...entry.remoteTracks]);
        this.options.dispatch({ type: 'linkStream', deviceId, stream });
      },
    });
    entry.session = session;
    const recovery = new IceRecovery({
      timers: this.options.timers ?? realTimers,
      ...(this.options.recoveryPolicy ? { policy: this.options.recoveryPolicy } : {}),
      ...(entry.epoch > 0 ? { wasConnected: true } : {}),
      restart: () => {
        if (entry.plan.polite) {
          this.recover(entry, 'ice');
          return;
        }
        entry.ladder.restarted(this.clock());
        void this.restartIce(entry, pc);
      },
      onPhase: (connection) => this.options.dispatch({ type: 'linkPhase', deviceId, connection, at: this.options.now() }),
      onGiveUp: () => {
        peerLog.warn(`ICE recovery gave up on device ${deviceId} in call ${entry.callId}`);
        this.options.onSessionLost?.(deviceId, CONNECTION_LOST);
      },
    });
    entry.recovery = recovery;
    entry.stopWatching = listen(pc, 'connectionstatechange', () => recovery.observe(pc.connectionState));
    entry.watchdog = new MediaWatchdog({
      pc,
      timers: this.options.timers ?? realTimers,
      now: () => this.clock(),
      ...(this.options.watchdogPolicy ? { policy: this.options.watchdogPolicy } : {}),
      expected: () => (entry.plan.send ? (this.options.remoteSends?.(deviceId) ?? NOTHING_SENT) : NOTHING_SENT),
      onStall: () => this.recover(entry, 'media'),
      label: `device ${deviceId} in call ${entry.callId}`,
    });
    if (entry.held) recovery.hold();
    // The impolite side of each pair makes the first offer, so that the two sides
    // do not both create transceivers for the same media (a glare would still be
    // resolved, at the price of duplicate m-lines). The polite side's transceivers
    // come from that offer.
    if (!entry.plan.polite) session.ensureTransceivers(this.kinds);
    this.applyTracks(entry);
    // Before any signal: what the hook adds (data channels) belongs in the first offer.
    entry.hook = this.options.hooks?.opened(session, entry.plan) ?? null;
    entry.accept =
      firstOffer?.accept ??
      new AcceptChannel(pc, entry.plan.polite, `device ${deviceId} in call ${entry.callId}`, (accept) => this.peerAccepted(entry, accept));
    for (const data of entry.queue.splice(0)) this.receive(entry, data);
    // The first offer went with the invite; what it gathered since goes the usual way.
    for (const candidate of firstOffer?.later ?? []) session.sendCandidate(candidate);
  }

  private peerAccepted(entry: Entry<PC>, accept: PeerAccept): void {
    if (!entry.closed && accept.callId === entry.callId) this.options.onPeerAccept?.(entry.callId, entry.plan, accept);
    else peerLog.warn(`device ${entry.plan.deviceId} said over the peer path it accepted call ${accept.callId}, not its call ${entry.callId}: ignored`);
  }

  private clock(): number {
    const timers = this.options.timers as (Timers & { now?: unknown }) | undefined;
    // Hand-moved test timers carry their own clock; the engine's `now` otherwise.
    return typeof timers?.now === 'number' ? timers.now : this.options.now();
  }

  /** A negotiation error: logged with call, device and step; a rejected description is rolled back and recovered. */
  private async negotiationFailed(entry: Entry<PC>, session: PeerSession<PC>, error: unknown, step: NegotiationStep): Promise<void> {
    const { deviceId } = entry.plan;
    peerLog.warn(`negotiation failed (${step}) with device ${deviceId} in call ${entry.callId}`, error);
    // A candidate that does not apply, or a track that could not be put on, leaves the negotiation as it was.
    if (step !== 'remote description' && step !== 'local description') return;
    if (entry.closed || entry.session !== session) return;
    try {
      if (await session.rollback()) peerLog.info(`rolled back the pending description with device ${deviceId} in call ${entry.callId}`);
    } catch (rollbackError) {
      peerLog.warn(`could not roll back the pending description with device ${deviceId} in call ${entry.callId}`, rollbackError);
    }
    if (entry.closed || entry.session !== session) return;
    this.recover(entry, 'negotiation');
  }

  /** One rung of the ladder for this link (recoveryLadder.ts). */
  private recover(entry: Entry<PC>, trouble: Trouble): void {
    if (entry.closed || entry.held || !entry.session) return;
    const { deviceId } = entry.plan;
    const step = entry.ladder.next(trouble, this.clock());
    if (step.do !== 'nothing') peerLog.info(`recovery with device ${deviceId} in call ${entry.callId}: ${trouble} → ${step.do}`);
    switch (step.do) {
      case 'nothing':
        return;
      case 'ask':
        this.send(entry, { kind: 'recovery', action: step.rebuild ? 'askRebuild' : 'ask', epoch: entry.epoch });
        entry.watchdog?.reset();
        return;
      case 'restartIce': {
        entry.watchdog?.reset();
        void this.restartIce(entry, entry.session.pc);
        return;
      }
      case 'rebuild':
        this.rebuild(entry, entry.epoch + 1, true);
        return;
      case 'giveUp':
        peerLog.warn(`recovery gave up on device ${deviceId} in call ${entry.callId}: the rebuilds did not hold`);
        this.options.dispatch({ type: 'linkPhase', deviceId, connection: 'failed', at: this.options.now() });
        this.options.onSessionLost?.(deviceId, CONNECTION_LOST);
        return;
    }
  }

  /** A recovery signal from the peer (see the file's comment). */
  private recoverySignal(entry: Entry<PC>, data: Extract<SignalData, { kind: 'recovery' }>): void {
    const { deviceId } = entry.plan;
    switch (data.action) {
      case 'ask':
      case 'askRebuild':
        if (entry.plan.polite) {
          peerLog.warn(`device ${deviceId} in call ${entry.callId} asked me to recover, but I am the polite side: ignored`);
          return;
        }
        if (data.epoch < entry.epoch) return; // about a connection already replaced
        if (data.action === 'ask' && entry.session && entry.session.pc.connectionState !== 'connected') {
          // My own ICE recovery is at work on this connection (it restarts on its schedule).
          peerLog.debug(`device ${deviceId} in call ${entry.callId} asked me to recover; my ICE recovery is already at work`);
          return;
        }
        this.recover(entry, data.action);
        return;
      case 'rebuild':
        if (!entry.plan.polite) {
          peerLog.warn(`device ${deviceId} in call ${entry.callId} rebuilt as if it were the impolite side: ignored`);
          return;
        }
        if (data.epoch <= entry.epoch) return;
        this.rebuild(entry, data.epoch, false);
        return;
      case 'rebuilt':
        if (entry.awaitingRebuilt !== data.epoch) return;
        entry.awaitingRebuilt = null;
        if (entry.rebuiltTimer !== null) (this.options.timers ?? realTimers).clearTimeout(entry.rebuiltTimer);
        entry.rebuiltTimer = null;
        return;
    }
  }

  /** Replaces this link's connection with a fresh one (see the file's comment). */
  private rebuild(entry: Entry<PC>, epoch: number, initiated: boolean): void {
    const { deviceId } = entry.plan;
    peerLog.warn(`rebuilding the connection with device ${deviceId} in call ${entry.callId} (rebuild ${epoch})`);
    this.teardown(entry);
    entry.session = null;
    entry.remoteTracks = [];
    entry.epoch = epoch;
    entry.ladder.rebuilt(this.clock());
    this.options.dispatch({ type: 'linkPhase', deviceId, connection: 'reconnecting', at: this.options.now() });
    if (initiated) {
      entry.awaitingRebuilt = epoch;
      this.send(entry, { kind: 'recovery', action: 'rebuild', epoch });
      const timers = this.options.timers ?? realTimers;
      entry.rebuiltTimer = timers.setTimeout(() => {
        entry.rebuiltTimer = null;
        if (entry.closed || entry.awaitingRebuilt !== epoch) return;
        peerLog.warn(`device ${deviceId} in call ${entry.callId} did not confirm rebuild ${epoch} within ${REBUILT_TIMEOUT_MS} ms`);
        entry.awaitingRebuilt = null;
        this.recover(entry, 'negotiation');
      }, REBUILT_TIMEOUT_MS);
    } else {
      this.send(entry, { kind: 'recovery', action: 'rebuilt', epoch });
    }
    void this.connect(entry);
  }

  /** Stops what watches and carries this link's current connection. */
  private teardown(entry: Entry<PC>): void {
    if (entry.rebuiltTimer !== null) (this.options.timers ?? realTimers).clearTimeout(entry.rebuiltTimer);
    entry.rebuiltTimer = null;
    entry.stopWatching?.();
    entry.stopWatching = null;
    entry.recovery?.dispose();
    entry.recovery = null;
    entry.watchdog?.stop();
    entry.watchdog = null;
    entry.hook?.closed();
    entry.hook = null;
    entry.accept?.close();
    entry.accept = null;
    entry.session?.close();
  }

  /**
   * Applies one signal of this peer after those before it; a description only
   * once its proof checked out against the userId the call gives the device.
   */
  private receive(entry: Entry<PC>, data: SignalData): void {
    const checked = carriesFingerprints(data);
    if (checked) this.checking += 1;
    entry.inbound = entry.inbound.then(async () => {
      let reported = true;
      try {
        if (entry.closed) return;
        if (data.kind === 'recovery') {
          this.recoverySignal(entry, data);
          return;
        }
        if (entry.awaitingRebuilt !== null) {
          peerLog.debug(`dropped a ${data.kind} from device ${entry.plan.deviceId} in call ${entry.callId}: it is for the connection I replaced`);
          return;
        }
        // The session may have been rebuilt since this signal came: it is for the current one.
        if (!entry.session) {
          entry.queue.push(data);
          return;
        }
        const session = entry.session;
        if (carriesFingerprints(data)) {
          const check = await this.check(entry, data);
          if (entry.closed) return;
          if (!check.ok) {
            reported = false;
            this.refuse(entry, check.reason, () => {
              if (checked) this.checkDone();
            });
            return;
          }
        }
        if (entry.session !== session) {
          // Rebuilt while the proof was checked: the fresh connection gets it.
          if (entry.session) this.receive(entry, data);
          else entry.queue.push(data);
          return;
        }
        void session.handleSignal(data);
      } finally {
        if (checked && reported) this.checkDone();
      }
    });
  }

  private checkDone(): void {
    this.checking -= 1;
    if (this.checking > 0) return;
    for (const next of this.afterChecking.splice(0)) next();
  }

  private async check(entry: Entry<PC>, data: DescriptionSignal): Promise<DtlsCheck> {
    const { deviceId, userId } = entry.plan;
    try {
      const meant = this.firstOffers.has(data)
        ? { firstOfferTo: this.options.signer.userId }
        : { toDeviceId: this.options.signer.deviceId, callId: entry.callId };
      return await checkDtlsProof(data.proof, data.description.sdp, { userId, fromDeviceId: deviceId, ...meant });
    } catch (error) {
      // checkDtlsProof answers every bad input itself; a throw is this engine's fault,
      // and a description that could not be checked is not applied either.
      peerLog.error(`checking the description from device ${deviceId} in call ${entry.callId} threw`, error);
      return { ok: false, reason: 'bad_signature' };
    }
  }

  /** A description from this peer failed its check: see the file's comment. */
  private refuse(entry: Entry<PC>, reason: DtlsFailure, reported: () => void): void {
    const { deviceId, userId } = entry.plan;
    const { callId } = entry;
    peerLog.warn(
      `the ${reason === 'no_proof' ? 'unsigned ' : ''}description from device ${deviceId} of user ${userId} in call ${callId} failed its DTLS check (${reason}): not applied, the session is closed`,
    );
    this.refused.add(deviceId);
    const session = entry.session;
    entry.session = null;
    this.close(entry);
    void this.showOwnDescription(callId, deviceId, session).finally(() => {
      try {
        this.options.onUnverified?.(callId, entry.plan, reason);
      } finally {
        reported();
      }
    });
  }

  /** The refused peer gets this side's own signed description, to check in turn; best effort. */
  private async showOwnDescription(callId: string, deviceId: string, session: PeerSession<PC> | null): Promise<void> {
    try {
      const own = await session?.retire();
      if (!own) return;
      const proof = await this.options.signer.signDtls({ sdp: own.sdp, callId, toDeviceId: deviceId });
      const sent = this.options.sendSignal(callId, deviceId, { kind: 'description', description: own, proof });
      if (sent instanceof Promise) {
        sent.catch((error: unknown) =>
          peerLog.debug(`my description for the refused device ${deviceId} in call ${callId} was not relayed`, error),
        );
      }
    } catch (error) {
      peerLog.warn(`could not show my own description to the refused device ${deviceId} in call ${callId}`, error);
    }
  }

  /** Signs a description, then relays it, after whatever was sent to this peer before. */
  private send(entry: Entry<PC>, data: SignalData): void {
    entry.outbound = entry.outbound.then(async () => {
      if (entry.closed) return;
      if (!carriesFingerprints(data)) {
        this.relay(entry, data);
        return;
      }
      let proof;
      try {
        proof = await this.options.signer.signDtls({ sdp: data.description.sdp, callId: entry.callId, toDeviceId: entry.plan.deviceId });
      } catch (error) {
        if (entry.closed) return;
        // Without its signature no peer applies it: this session cannot go on.
        peerLog.error(`could not sign the description for device ${entry.plan.deviceId} in call ${entry.callId}`, error);
        const why = error instanceof Error ? error.message : String(error);
        this.options.onSessionLost?.(entry.plan.deviceId, t('notices.signFailed', { reason: why }));
        return;
      }
      if (!entry.closed) this.relay(entry, { ...data, proof });
    });
  }

  private relay(entry: Entry<PC>, data: SignalData): void {
    let sent: unknown;
    try {
      sent = this.options.sendSignal(entry.callId, entry.plan.deviceId, data);
    } catch (error) {
      sent = Promise.reject(error);
    }
    // A sender that returns no promise (a void callback may return anything) gives no news.
    if (!(sent instanceof Promise)) return;
    if (data.kind !== 'description') {
      // Lost candidates may keep a connection from ever coming up: released recovery restarts it.
      sent.catch((error: unknown) => {
        entry.lostCandidates = true;
        peerLog.debug(`a candidate for device ${entry.plan.deviceId} in call ${entry.callId} was not relayed`, error);
      });
      return;
    }
    const n = ++entry.sentDescriptions;
    // Only the latest description matters: an older one's late answer changes nothing.
    sent.then(
      () => {
        if (n === entry.sentDescriptions) entry.unsent = false;
      },
      (error: unknown) => {
        if (n === entry.sentDescriptions) entry.unsent = true;
        peerLog.debug(`a description for device ${entry.plan.deviceId} in call ${entry.callId} was not relayed`, error);
      },
    );
  }

  /**
   * One ICE restart. TURN credentials expire, so a restart late in a call first
   * takes a fresh configuration (webrtc-pc "set a configuration" lets iceServers
   * change on a live connection; the next gathering, the restart's, uses them);
   * without one it restarts with what it has.
   */
  private async restartIce(entry: Entry<PC>, pc: PC): Promise<void> {
    peerLog.info(`restarting ICE with device ${entry.plan.deviceId} in call ${entry.callId}`);
    try {
      const config = await this.options.rtcConfiguration();
      if (!entry.closed && config !== entry.config && pc.setConfiguration) {
        pc.setConfiguration(config);
        entry.config = config;
      }
    } catch (error) {
      // Keep the servers it has: a restart with them beats none.
      peerLog.warn(
        `no fresh ICE servers for the restart with device ${entry.plan.deviceId} in call ${entry.callId}; restarting with the old ones`,
        error,
      );
    }
    if (!entry.closed) pc.restartIce();
  }

  private applyTracks(entry: Entry<PC>): void {
    const session = entry.session;
    if (!session) return;
    const send = entry.plan.send;
    void session.setTrack('audio', send ? this.tracks.audio : null);
    void session.setTrack('video', send ? this.tracks.video : null);
  }

  private close(entry: Entry<PC>): void {
    if (entry.closed) return;
    entry.closed = true;
    // The role a first offer gave holds for its link only: a device that comes back (a
    // reloaded page, which did not get the offer again) connects by the id rule, as it does.
    this.pinned = this.pinned.filter((p) => p.callId !== entry.callId || p.deviceId !== entry.plan.deviceId);
    this.teardown(entry);
    this.entries.delete(entry.plan.deviceId);
    this.options.dispatch({ type: 'linkClosed', deviceId: entry.plan.deviceId });
  }
}
