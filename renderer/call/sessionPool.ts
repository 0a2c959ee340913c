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
 */
import type { SignalData } from '../../signaling-server/protocol';
import type { CallEvent } from './callState';
import type { MediaKind, PeerConnectionLike } from './peerConnection';
import { PeerSession } from './peerSession';
import type { PlannedSession } from './sessionPlan';

/** Signals held for devices the plan does not name yet, across all of them. */
const MAX_EARLY_SIGNALS = 256;

export interface LocalTracks {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
}

export interface SessionPoolOptions<PC extends PeerConnectionLike> {
  createPeerConnection(config: RTCConfiguration): PC;
  /** The configuration for this call's connections (fetched once per call). */
  rtcConfiguration(): Promise<RTCConfiguration>;
  sendSignal(callId: string, to: string, data: SignalData): void;
  createStream(tracks: MediaStreamTrack[]): MediaStream;
  dispatch(event: CallEvent): void;
  now(): number;
}

interface Entry<PC extends PeerConnectionLike> {
  plan: PlannedSession;
  callId: string;
  session: PeerSession<PC> | null;
  queue: SignalData[];
  remoteTracks: MediaStreamTrack[];
  closed: boolean;
}

export class SessionPool<PC extends PeerConnectionLike> {
  private callId: string | null = null;
  private readonly entries = new Map<string, Entry<PC>>();
  private early: { callId: string; from: string; data: SignalData }[] = [];
  private kinds: readonly MediaKind[] = [];
  private tracks: LocalTracks = { audio: null, video: null };

  constructor(private readonly options: SessionPoolOptions<PC>) {}

  /** Brings the sessions in line with `plan`; `callId` null while a dial awaits its ack. */
  sync(callId: string | null, plan: readonly PlannedSession[], kinds: readonly MediaKind[], tracks: LocalTracks): void {
    if (callId !== this.callId) {
      // Early signals survive the dial's ack (null → callId): that is what they wait for.
      for (const entry of [...this.entries.values()]) this.close(entry);
      this.callId = callId;
      if (callId !== null) this.early = this.early.filter((s) => s.callId === callId);
    }
    this.kinds = kinds;
    this.tracks = tracks;
    const wanted = new Map(plan.map((p) => [p.deviceId, p]));
    for (const [deviceId, entry] of [...this.entries]) {
      if (!wanted.has(deviceId)) this.close(entry);
    }
    if (callId === null) return;
    for (const p of plan) {
      const entry = this.entries.get(p.deviceId);
      if (entry) {
        entry.plan = p;
        this.applyTracks(entry);
      } else {
        this.open(callId, p);
      }
    }
  }

  /** Routes a relayed signal to its session, or holds it until the session exists. */
  deliver(callId: string, from: string, data: SignalData): void {
    if (this.callId !== null && callId !== this.callId) return;
    const entry = this.entries.get(from);
    if (entry && entry.callId === callId) {
      if (entry.session) void entry.session.handleSignal(data);
      else entry.queue.push(data);
      return;
    }
    if (this.early.length >= MAX_EARLY_SIGNALS) this.early.shift();
    this.early.push({ callId, from, data });
  }

  /** Sessions whose connection exists, by remote deviceId. */
  sessions(): [string, PeerSession<PC>][] {
    const out: [string, PeerSession<PC>][] = [];
    for (const [deviceId, entry] of this.entries) if (entry.session) out.push([deviceId, entry.session]);
    return out;
  }

  peerConnections(): PC[] {
    return this.sessions().map(([, session]) => session.pc);
  }

  closeAll(): void {
    for (const entry of [...this.entries.values()]) this.close(entry);
    this.callId = null;
    this.early = [];
  }

  private open(callId: string, plan: PlannedSession): void {
    const entry: Entry<PC> = { plan, callId, session: null, queue: [], remoteTracks: [], closed: false };
    this.entries.set(plan.deviceId, entry);
    const mine = this.early.filter((s) => s.callId === callId && s.from === plan.deviceId);
    this.early = this.early.filter((s) => !mine.includes(s));
    entry.queue.push(...mine.map((s) => s.data));
    this.options.dispatch({ type: 'linkPhase', deviceId: plan.deviceId, connection: 'new', at: this.options.now() });
    void this.connect(entry);
  }

  private async connect(entry: Entry<PC>): Promise<void> {
    const { deviceId } = entry.plan;
    let pc: PC;
    try {
      const config = await this.options.rtcConfiguration();
      if (entry.closed) return;
      pc = this.options.createPeerConnection(config);
    } catch {
      if (!entry.closed) this.options.dispatch({ type: 'linkPhase', deviceId, connection: 'failed', at: this.options.now() });
      return;
    }
    const session = new PeerSession<PC>({
      pc,
      polite: entry.plan.polite,
      send: (data) => this.options.sendSignal(entry.callId, deviceId, data),
      onPhase: (connection) => this.options.dispatch({ type: 'linkPhase', deviceId, connection, at: this.options.now() }),
      onTrack: (track) => {
        if (entry.remoteTracks.includes(track)) return;
        entry.remoteTracks.push(track);
        const stream = this.options.createStream([...entry.remoteTracks]);
        this.options.dispatch({ type: 'linkStream', deviceId, stream });
      },
    });
    entry.session = session;
    // The impolite side of each pair makes the first offer, so that the two sides
    // do not both create transceivers for the same media (a glare would still be
    // resolved, at the price of duplicate m-lines). The polite side's transceivers
    // come from that offer.
    if (!entry.plan.polite) session.ensureTransceivers(this.kinds);
    this.applyTracks(entry);
    for (const data of entry.queue.splice(0)) void session.handleSignal(data);
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
    entry.session?.close();
    this.entries.delete(entry.plan.deviceId);
    this.options.dispatch({ type: 'linkClosed', deviceId: entry.plan.deviceId });
  }
}
