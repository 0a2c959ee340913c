/**
 * An in-memory stand-in for the signaling server's call handling, enough to run
 * several call engines against each other in Node: invites (with glare merging),
 * ringing every device of a user, accept/decline/cancel/leave, media flags, and
 * relaying signals between members and ringing devices. Polite roles follow
 * protocol.ts's isPolite. What a device is sent (acks and events) waits in its
 * outbox and is delivered in one batch in a later macrotask, in order, as socket.io
 * delivers the packets of one WebSocket read: an ack only resolves a promise whose
 * continuation runs later, so the events right behind it are handled first.
 *
 * It follows protocol.ts and the real server's conventions (every member gets
 * call:updated after every change, the acting device included); callEngine.server
 * .test.ts runs the engine against the real server as well.
 */
import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  isPolite,
  type CallSnapshot,
  type ClientToServerEvents,
  type ErrorCode,
  type SignalData,
} from '../../../signaling-server/protocol';
import type { CallSignaling } from '../../../renderer/call/callEngine';
import type { ConnectionState } from '../../../renderer/signaling/client';
import type { SelfRef } from '../../../renderer/call/callState';
import { RequestError } from '../../../renderer/signaling/client';

interface Member {
  userId: string;
  displayName: string;
  audio: boolean;
  video: boolean;
}
interface Invitee {
  displayName: string;
  devices: string[];
  invitedBy: string;
}
interface Call {
  callId: string;
  media: 'audio' | 'video';
  connectedAt: number | null;
  members: Map<string, Member>;
  invitees: Map<string, Invitee>;
}

type Event = keyof ClientToServerEvents;
const later = (fn: () => void): void => void setTimeout(fn, 0);
const refuse = (code: ErrorCode, message: string = code): never => {
  throw new RequestError(code, message);
};

export class FakeSignaling implements CallSignaling {
  readonly socket = new EventEmitter();
  /** Every request this device made, in order. */
  readonly requests: { event: Event; payload: unknown }[] = [];

  constructor(
    private readonly server: FakeCallServer,
    readonly self: SelfRef,
  ) {}

  private outbox: (() => void)[] = [];
  private online = true;
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** The socket drops: requests fail 'offline' until `reconnect`. */
  disconnect(): void {
    this.online = false;
    for (const listener of this.stateListeners) listener({ phase: 'reconnecting', url: 'fake://', attempt: 0, lastError: 'transport close' });
  }

  /** The socket is back: the server welcomes it, with the call it still has this device in. */
  reconnect(): void {
    this.online = true;
    this.socket.emit('session:welcome', this.server.welcome(this.self));
  }

  request: CallSignaling['request'] = (event, payload) => {
    this.requests.push({ event, payload });
    if (!this.online) return Promise.reject(new RequestError('offline', 'Not connected to the server.'));
    return new Promise((resolve, reject) => {
      later(() => {
        try {
          const result = this.server.handle(this.self, event, payload);
          // The fake answers each event with the ok shape the protocol gives it.
          this.post(() => resolve({ ok: true, ...result } as never));
        } catch (error) {
          this.post(() => reject(error));
        }
      });
    });
  };

  /** Queues a delivery to this device; the queue is flushed in one go. */
  post(deliver: () => void): void {
    this.outbox.push(deliver);
    if (this.outbox.length > 1) return;
    later(() => {
      for (const next of this.outbox.splice(0)) next();
    });
  }

  get isOnline(): boolean {
    return this.online;
  }

  sent(event: Event): unknown[] {
    return this.requests.filter((r) => r.event === event).map((r) => r.payload);
  }

  listenerCount(): number {
    return this.socket.eventNames().reduce((n, name) => n + this.socket.listenerCount(name), 0);
  }
}

export class FakeCallServer {
  readonly calls = new Map<string, Call>();
  readonly dnd = new Set<string>();
  /** Each user's block list, as `block:set` last gave it. */
  readonly blocked = new Map<string, string[]>();
  /** False: the server ignores block lists, as when an invite overtakes the list (a race). */
  enforceBlocks = true;
  /** Set: every invite is refused `rate_limited` with this message (an invite cooldown). */
  cooldown: string | null = null;
  private readonly clients = new Map<string, FakeSignaling>();
  private nextCall = 1;
  /** Survives `restart`, like the real server's membership secret in its data folder. */
  private readonly secret = 'fake-membership-secret';
  /** Calls that ended: never rebuilt by a rejoin, whatever the token. */
  private readonly ended = new Set<string>();
  readonly rejoinGraceMs = 5_000;
  /** False: snapshots carry no token, as from a server that never signed one. */
  issueTokens = true;

  /** Forgets every call, as a restarted server does; tokens it signed stay valid. */
  restart(): void {
    this.calls.clear();
  }

  /** The token the real server signs: HMAC over (callId, userId, deviceId). */
  tokenFor(callId: string, self: Pick<SelfRef, 'userId' | 'deviceId'>): string {
    return createHmac('sha256', this.secret).update(`${callId}\n${self.userId}\n${self.deviceId}`).digest('base64url');
  }

  welcome(self: SelfRef): object {
    const call = [...this.calls.values()].find((c) => c.members.has(self.deviceId));
    return { call: call ? this.snapshot(call, self.deviceId) : null, ringing: [], limits: { rejoinGraceMs: this.rejoinGraceMs } };
  }

  connect(self: SelfRef): FakeSignaling {
    const client = new FakeSignaling(this, self);
    this.clients.set(self.deviceId, client);
    return client;
  }

  handle(self: SelfRef, event: Event, raw: unknown): object {
    const payload = raw as Record<string, unknown>;
    switch (event) {
      case 'ice:servers':
        return { iceServers: [], ttlSeconds: 600 };
      case 'block:set':
        this.blocked.set(self.userId, [...(payload.userIds as string[])]);
        return {};
      case 'call:invite':
        return this.invite(self, payload.to as string, payload.media as 'audio' | 'video', payload.callId as string | undefined);
      case 'call:accept': {
        const call = this.callOf(payload.callId);
        const invite = call.invitees.get(self.userId);
        if (!invite?.devices.includes(self.deviceId)) refuse('not_invited');
        call.invitees.delete(self.userId);
        call.members.set(self.deviceId, { ...self, audio: payload.audio === true, video: payload.video === true });
        call.connectedAt ??= Date.now();
        this.ringEnded(call, invite as Invitee, 'answered_elsewhere', self.deviceId);
        this.toMembers(call, 'call:invite-ended', { callId: call.callId, userId: self.userId, reason: 'answered' }, self.deviceId);
        this.updated(call);
        return { call: this.snapshot(call, self.deviceId) };
      }
      case 'call:decline': {
        const call = this.callOf(payload.callId);
        const invite = call.invitees.get(self.userId) ?? refuse('not_invited');
        call.invitees.delete(self.userId);
        this.ringEnded(call, invite, 'declined_elsewhere', self.deviceId);
        this.toMembers(call, 'call:invite-ended', { callId: call.callId, userId: self.userId, reason: 'declined' });
        this.endIfEmpty(call, 'declined');
        return {};
      }
      case 'call:cancel': {
        const call = this.callOf(payload.callId);
        const invite = call.invitees.get(payload.to as string) ?? refuse('not_invited');
        call.invitees.delete(payload.to as string);
        this.ringEnded(call, invite, 'cancelled');
        this.toMembers(call, 'call:invite-ended', { callId: call.callId, userId: payload.to, reason: 'cancelled' });
        this.endIfEmpty(call, 'cancelled');
        return {};
      }
      case 'call:leave': {
        const call = this.callOf(payload.callId);
        if (!call.members.delete(self.deviceId)) refuse('not_in_call');
        this.toMembers(call, 'call:member-left', { callId: call.callId, userId: self.userId, deviceId: self.deviceId, reason: 'left' });
        this.endIfEmpty(call, 'hangup');
        return {};
      }
      case 'call:media': {
        const call = this.callOf(payload.callId);
        const me = call.members.get(self.deviceId) ?? refuse('not_in_call');
        me.audio = payload.audio === true;
        me.video = payload.video === true;
        this.updated(call);
        return {};
      }
      case 'call:rejoin': {
        const callId = payload.callId as string;
        if (payload.rejoinToken !== this.tokenFor(callId, self)) refuse('not_in_call', 'That is not your membership token for this call.');
        if (this.ended.has(callId)) refuse('call_not_found');
        let call = this.calls.get(callId);
        if (!call) {
          // A restarted server rebuilds the call from its first member to come back.
          call = { callId, media: payload.media as 'audio' | 'video', connectedAt: Date.now(), members: new Map(), invitees: new Map() };
          this.calls.set(callId, call);
        }
        call.members.set(self.deviceId, { ...self, audio: payload.audio === true, video: payload.video === true });
        this.updated(call, self.deviceId);
        return { call: this.snapshot(call, self.deviceId) };
      }
      case 'signal': {
        const call = this.callOf(payload.callId);
        const to = payload.to as string;
        if (!this.takesPart(call, self.deviceId) || !this.takesPart(call, to)) refuse('unknown_recipient');
        this.emit(to, 'signal', { callId: call.callId, from: self.deviceId, fromUserId: self.userId, data: payload.data as SignalData });
        return {};
      }
      default:
        return refuse('invalid_payload', `the fake server does not do ${event}`);
    }
  }

  private invite(self: SelfRef, to: string, media: 'audio' | 'video', callId?: string): object {
    if (to === self.userId) refuse('self_call');
    // Glare: the peer is already calling me; my invite answers theirs.
    const theirs = [...this.calls.values()].find(
      (c) => c.invitees.has(self.userId) && [...c.members.values()].some((m) => m.userId === to),
    );
    if (!callId && theirs) {
      const invite = theirs.invitees.get(self.userId) as Invitee;
      theirs.invitees.delete(self.userId);
      theirs.members.set(self.deviceId, { ...self, audio: true, video: theirs.media === 'video' });
      theirs.connectedAt ??= Date.now();
      this.ringEnded(theirs, invite, 'answered_elsewhere', self.deviceId);
      this.updated(theirs);
      return { call: this.snapshot(theirs, self.deviceId) };
    }
    const devices = this.devicesOf(to);
    if (devices.length === 0) refuse('user_offline');
    if (this.cooldown !== null) refuse('rate_limited', this.cooldown);
    if (this.enforceBlocks && this.blocked.get(to)?.includes(self.userId)) refuse('call_refused', 'This person does not take your calls.');
    if (this.dnd.has(to)) refuse('do_not_disturb');
    if ([...this.calls.values()].some((c) => [...c.members.values()].some((m) => m.userId === to))) refuse('busy');
    let call: Call;
    if (callId) {
      call = this.callOf(callId);
      if (!call.members.has(self.deviceId)) refuse('not_in_call');
    } else {
      call = { callId: `call-${String(this.nextCall++).padStart(8, '0')}`, media, connectedAt: null, members: new Map(), invitees: new Map() };
      call.members.set(self.deviceId, { ...self, audio: true, video: media === 'video' });
      this.calls.set(call.callId, call);
    }
    const callee = this.clients.get(devices[0] as string)?.self as SelfRef;
    call.invitees.set(to, { displayName: callee.displayName, devices, invitedBy: self.userId });
    for (const deviceId of devices) {
      this.emit(deviceId, 'call:incoming', {
        callId: call.callId,
        from: { userId: self.userId, displayName: self.displayName },
        media: call.media,
        call: this.snapshot(call, deviceId),
      });
    }
    this.updated(call);
    return { call: this.snapshot(call, self.deviceId) };
  }

  snapshot(call: Call, recipient: string): CallSnapshot {
    return {
      callId: call.callId,
      media: call.media,
      connectedAt: call.connectedAt,
      members: [...call.members].map(([deviceId, m]) => ({
        userId: m.userId,
        deviceId,
        displayName: m.displayName,
        polite: deviceId !== recipient && isPolite(recipient, deviceId),
        connected: true,
        audio: m.audio,
        video: m.video,
      })),
      invitees: [...call.invitees].map(([userId, i]) => ({
        userId,
        displayName: i.displayName,
        devices: i.devices.map((deviceId) => ({ deviceId, polite: isPolite(recipient, deviceId) })),
        invitedBy: i.invitedBy,
      })),
      maxParticipants: 8,
      rejoinToken: this.issueTokens && call.members.has(recipient) ? this.tokenFor(call.callId, { userId: (call.members.get(recipient) as Member).userId, deviceId: recipient }) : null,
    };
  }

  private devicesOf(userId: string): string[] {
    return [...this.clients.values()].filter((c) => c.self.userId === userId).map((c) => c.self.deviceId);
  }

  private callOf(callId: unknown): Call {
    return this.calls.get(callId as string) ?? refuse('call_not_found');
  }

  private takesPart(call: Call, deviceId: string): boolean {
    return call.members.has(deviceId) || [...call.invitees.values()].some((i) => i.devices.includes(deviceId));
  }

  private emit(deviceId: string, event: string, payload: unknown): void {
    const client = this.clients.get(deviceId);
    // Like the real server: a member whose socket is gone is told nothing.
    if (client?.isOnline) client.post(() => client.socket.emit(event, payload));
  }

  private toMembers(call: Call, event: string, payload: unknown, except?: string): void {
    for (const deviceId of call.members.keys()) if (deviceId !== except) this.emit(deviceId, event, payload);
  }

  /** Like the real server: every member, the acting device included, before its ack. */
  private updated(call: Call, except?: string): void {
    for (const deviceId of call.members.keys()) if (deviceId !== except) this.emit(deviceId, 'call:updated', { call: this.snapshot(call, deviceId) });
  }

  private ringEnded(call: Call, invite: Invitee, reason: string, except?: string): void {
    for (const deviceId of invite.devices) {
      if (deviceId !== except) this.emit(deviceId, 'call:ring-ended', { callId: call.callId, reason });
    }
  }

  /** A call with one member and nobody ringing is over. */
  private endIfEmpty(call: Call, reason: string): void {
    if (call.members.size > 1 || (call.members.size === 1 && call.invitees.size > 0)) {
      this.updated(call);
      return;
    }
    this.calls.delete(call.callId);
    this.ended.add(call.callId);
    this.toMembers(call, 'call:ended', { callId: call.callId, reason });
    for (const invite of call.invitees.values()) this.ringEnded(call, invite, 'call_ended');
  }
}
