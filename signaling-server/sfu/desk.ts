/**
 * The SFU side of calls (issue 17): one VideoRoom room per `sfu` call, on the least
 * loaded Janus instance, with a random pin and secret that only this server knows.
 * Each member device gets a publisher handle per feed (camera, screen) and one
 * multistream subscriber handle that receives every other device's feeds. Clients
 * never talk to Janus: the `sfu:*` events are relayed here, only for members of
 * the call (anyone else is refused `not_in_call`).
 *
 * Renegotiation: a new feed is added to each subscriber with `update`; Janus then
 * offers (`sfu:offer`) and the device answers (`sfu:answer` → `start`). One offer
 * is outstanding per subscriber at a time: feeds arriving meanwhile are added once
 * the answer is in. A feed that goes (unpublish, a member leaving) is removed by
 * Janus itself, which sends the subscribers a new offer; every offer on a
 * subscriber handle is relayed with the streams it carries.
 *
 * When an instance dies, each of its rooms is created again on another instance
 * and its members get `sfu:restart`: they publish and subscribe again.
 */
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { Party } from '../callRecord';
import { fail } from '../callRefusals';
import { describeError } from '../logger';
import type {
  Ack,
  CallId,
  DeviceId,
  ServerToClientEvents,
  SfuAnswerPayload,
  SfuCandidatePayload,
  SfuFeed,
  SfuLayerPayload,
  SfuPublishPayload,
  SfuSubscribePayload,
  SfuTarget,
  SfuUnpublishPayload,
} from '../protocol';
import { JanusError, type JanusMessage, type Jsep } from './janusClient';
import type { JanusInstance, JanusPool, RoomRef } from './janusPool';
import type { SfuCallEvents, SfuRequests } from './types';

/** What the desk asks the call registry. */
export interface SfuCalls {
  /** 'member' only for a member device of a live call whose topology is `sfu`. */
  sfuAccess(callId: CallId, party: Party): 'member' | 'not_member' | 'not_sfu';
  /** The member devices of the call (empty when it is gone). */
  membersOf(callId: CallId): DeviceId[];
}

export interface SfuSend {
  <E extends 'sfu:offer' | 'sfu:candidate' | 'sfu:restart'>(deviceId: DeviceId, event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
}

interface Publisher {
  handle: number;
  feedId: number;
}

interface Subscriber {
  handle: number | null;
  /** The join is under way (its offer not yet relayed). */
  creating: boolean;
  /** An offer was relayed and its answer has not come. */
  awaitingAnswer: boolean;
  /** Offers relayed so far: tells an answer's offer from one Janus sent after it. */
  offers: number;
  /** Feeds subscribed (or being subscribed). */
  feeds: Set<number>;
  /** Feeds to add once the outstanding offer is answered. */
  waiting: Set<number>;
}

interface DeviceState {
  publishers: Map<SfuFeed, Publisher>;
  subscriber: Subscriber | null;
  /** Candidates that came before their handle existed (the client trickles while its request is on the way). */
  early: Map<SfuTarget, unknown[]>;
}

interface Room {
  callId: CallId;
  /** Resolves to the room on its instance; replaced when the room moves. */
  ready: Promise<RoomRef>;
  ref: RoomRef | null;
  devices: Map<DeviceId, DeviceState>;
  /** Feed id → whose feed it is; `up` once its media reached Janus (only then can it be subscribed). */
  feeds: Map<number, { deviceId: DeviceId; feed: SfuFeed; up: boolean }>;
  /** Bumped when the room moves: work for an older generation is dropped. */
  generation: number;
  ended: boolean;
  /** The last placement failed (no instance reachable): the next request tries again. */
  unplaced: boolean;
}

const EARLY_CANDIDATES_MAX = 64;

function failed(err: unknown, what: string): Ack<never> {
  const reason = err instanceof Error ? err.message : String(err);
  return fail('sfu_failed', `The media server could not ${what}: ${reason}`) as Ack<never>;
}

const NOT_IN_CALL = fail('not_in_call', 'This device is not in that call, so it cannot publish or subscribe to its media.');
const NOT_SFU = fail('sfu_unavailable', 'That call is peer to peer (not on the media server).');

export class SfuDesk implements SfuRequests, SfuCallEvents {
  private readonly rooms = new Map<CallId, Room>();

  constructor(
    private readonly pool: JanusPool,
    private readonly calls: SfuCalls,
    private readonly send: SfuSend,
    private readonly log: Logger,
  ) {
    pool.onInstanceDown((instance, reason) => this.instanceDown(instance, reason));
  }

  /** Can a call move to the SFU now (a Janus instance is live)? */
  get available(): boolean {
    return this.pool.available;
  }

  /** The room of a call (for tests and health): its instance URL and room id. */
  roomOf(callId: CallId): { url: string; roomId: number; pin: string } | null {
    const ref = this.rooms.get(callId)?.ref;
    return ref ? { url: ref.instance.url, roomId: ref.roomId, pin: ref.pin } : null;
  }

  // ─── call lifecycle ──────────────────────────────────────────────────────

  callMovedToSfu(callId: CallId): void {
    this.room(callId).ready.catch((err: unknown) => this.log.error({ callId, err: describeError(err) }, 'could not create the SFU room'));
  }

  memberLeft(callId: CallId, deviceId: DeviceId): void {
    const room = this.rooms.get(callId);
    const device = room?.devices.get(deviceId);
    if (!room || !device) return;
    room.devices.delete(deviceId);
    void this.dropDevice(room, deviceId, device);
  }

  callEnded(callId: CallId): void {
    const room = this.rooms.get(callId);
    if (!room) return;
    this.rooms.delete(callId);
    room.ended = true;
    const devices = [...room.devices];
    room.devices.clear();
    void (async () => {
      for (const [deviceId, device] of devices) await this.dropDevice(room, deviceId, device);
      try {
        const ref = await room.ready;
        ref.instance.participants = Math.max(0, ref.instance.participants - devices.length);
        await this.pool.destroyRoom(ref);
        this.log.debug({ callId, roomId: ref.roomId }, 'SFU room destroyed');
      } catch (err) {
        this.log.warn({ callId, err: describeError(err) }, 'could not destroy an SFU room');
      }
    })();
  }

  /** Forgets every room without touching Janus (server shutdown: the pool closes the sessions, which ends them). */
  dispose(): void {
    for (const room of this.rooms.values()) room.ended = true;
    this.rooms.clear();
  }

  // ─── requests ────────────────────────────────────────────────────────────

  async publish(party: Party, p: SfuPublishPayload): Promise<Ack<{ description: { type: 'answer'; sdp: string } }>> {
    const refusal = this.check(p.callId, party);
    if (refusal) return refusal;
    const room = this.room(p.callId);
    try {
      const ref = await room.ready;
      const device = this.device(room, party.deviceId);
      const old = device.publishers.get(p.feed);
      if (old) await this.unpublishFeed(room, ref, party.deviceId, device, p.feed, old);
      const feedId = randomInt(1, 2 ** 47);
      const handle = await this.pool.attach(ref, (m) => this.onPublisherNews(room, party.deviceId, p.feed, feedId, m));
      const publisher: Publisher = { handle, feedId };
      device.publishers.set(p.feed, publisher);
      const answer = await ref.connection.message(
        handle,
        { request: 'joinandconfigure', ptype: 'publisher', room: ref.roomId, pin: ref.pin, id: feedId, display: `${party.deviceId}:${p.feed}` },
        { jsep: p.description, awaitEvent: true },
      );
      if (answer.jsep?.type !== 'answer') throw new JanusError('Janus joined the publisher without an SDP answer', 0);
      if (!device.publishers.has(p.feed) || device.publishers.get(p.feed) !== publisher || room.ended) {
        return fail('not_in_call', 'The call or this publication ended meanwhile.') as Ack<never>;
      }
      // Subscribers get the feed once its media is up (`webrtcup`, onPublisherNews): Janus refuses a feed with no media yet.
      const known = room.feeds.get(feedId);
      room.feeds.set(feedId, { deviceId: party.deviceId, feed: p.feed, up: known?.up ?? false });
      if (known?.up) this.feedUp(room, feedId);
      await this.flushEarly(ref, device, p.feed, handle);
      return { ok: true, description: { type: 'answer', sdp: answer.jsep.sdp } };
    } catch (err) {
      this.log.warn({ callId: p.callId, deviceId: party.deviceId, feed: p.feed, err: describeError(err) }, 'sfu:publish failed');
      return failed(err, `publish your ${p.feed}`);
    }
  }

  async unpublish(party: Party, p: SfuUnpublishPayload): Promise<Ack> {
    const refusal = this.check(p.callId, party);
    if (refusal) return refusal;
    const room = this.room(p.callId);
    const device = room.devices.get(party.deviceId);
    const publisher = device?.publishers.get(p.feed);
    if (!device || !publisher) return { ok: true };
    try {
      await this.unpublishFeed(room, await room.ready, party.deviceId, device, p.feed, publisher);
      return { ok: true };
    } catch (err) {
      this.log.warn({ callId: p.callId, deviceId: party.deviceId, err: describeError(err) }, 'sfu:unpublish failed');
      return failed(err, `stop publishing your ${p.feed}`);
    }
  }

  async subscribe(party: Party, p: SfuSubscribePayload): Promise<Ack> {
    const refusal = this.check(p.callId, party);
    if (refusal) return refusal;
    const room = this.room(p.callId);
    try {
      await room.ready;
      const device = this.device(room, party.deviceId);
      if (device.subscriber?.handle !== undefined && device.subscriber.handle !== null) {
        // Subscribing again (the client rebuilt its connection): start afresh.
        await this.dropSubscriber(room, device);
      }
      device.subscriber = { handle: null, creating: false, awaitingAnswer: false, offers: 0, feeds: new Set(), waiting: new Set() };
      const others = [...room.feeds].filter(([, f]) => f.deviceId !== party.deviceId && f.up).map(([id]) => id);
      this.addFeeds(room, party.deviceId, device, others);
      return { ok: true };
    } catch (err) {
      this.log.warn({ callId: p.callId, deviceId: party.deviceId, err: describeError(err) }, 'sfu:subscribe failed');
      return failed(err, 'subscribe you to the call');
    }
  }

  async answer(party: Party, p: SfuAnswerPayload): Promise<Ack> {
    const refusal = this.check(p.callId, party);
    if (refusal) return refusal;
    const room = this.room(p.callId);
    const device = room.devices.get(party.deviceId);
    const subscriber = device?.subscriber;
    if (!device || !subscriber || subscriber.handle === null || !subscriber.awaitingAnswer) {
      return fail('sfu_unavailable', 'There is no offer from the media server to answer: subscribe first (sfu:subscribe).');
    }
    try {
      const ref = await room.ready;
      const answered = subscriber.offers;
      await ref.connection.message(subscriber.handle, { request: 'start' }, { jsep: p.description, awaitEvent: true });
      // Janus sends an offer it had postponed (feeds added or gone meanwhile) right
      // after its reply to this answer, and both can arrive in one read: that offer
      // may be relayed already, and is outstanding.
      if (subscriber.offers === answered) subscriber.awaitingAnswer = false;
      this.log.debug({ callId: p.callId, deviceId: party.deviceId, waiting: subscriber.waiting.size }, 'SFU subscriber answer taken');
      await this.flushEarly(ref, device, 'subscriber', subscriber.handle);
      if (subscriber.waiting.size > 0) {
        const waiting = [...subscriber.waiting];
        subscriber.waiting.clear();
        this.addFeeds(room, party.deviceId, device, waiting);
      }
      return { ok: true };
    } catch (err) {
      this.log.warn({ callId: p.callId, deviceId: party.deviceId, err: describeError(err) }, 'sfu:answer failed');
      return failed(err, 'take your answer');
    }
  }

  async candidate(party: Party, p: SfuCandidatePayload): Promise<Ack> {
    const refusal = this.check(p.callId, party);
    if (refusal) return refusal;
    const room = this.room(p.callId);
    const device = this.device(room, party.deviceId);
    const handle = p.target === 'subscriber' ? device.subscriber?.handle : device.publishers.get(p.target)?.handle;
    if (handle === undefined || handle === null) {
      const early = device.early.get(p.target) ?? [];
      if (early.length >= EARLY_CANDIDATES_MAX) return fail('sfu_unavailable', `Too many candidates for ${p.target} before it was published or subscribed.`);
      early.push(p.candidate);
      device.early.set(p.target, early);
      return { ok: true };
    }
    try {
      const ref = await room.ready;
      await ref.connection.trickle(handle, p.candidate);
      return { ok: true };
    } catch (err) {
      this.log.warn({ callId: p.callId, deviceId: party.deviceId, err: describeError(err) }, 'sfu:candidate failed');
      return failed(err, 'take your ICE candidate');
    }
  }

  async layer(party: Party, p: SfuLayerPayload): Promise<Ack> {
    const refusal = this.check(p.callId, party);
    if (refusal) return refusal;
    const room = this.room(p.callId);
    const handle = room.devices.get(party.deviceId)?.subscriber?.handle;
    if (handle === undefined || handle === null) return fail('sfu_unavailable', 'Subscribe first (sfu:subscribe), then choose layers.');
    try {
      const ref = await room.ready;
      await ref.connection.message(handle, { request: 'configure', streams: [{ mid: p.mid, substream: p.substream }] }, { awaitEvent: true });
      return { ok: true };
    } catch (err) {
      this.log.warn({ callId: p.callId, deviceId: party.deviceId, err: describeError(err) }, 'sfu:layer failed');
      return failed(err, 'change the video layer');
    }
  }

  // ─── internals ───────────────────────────────────────────────────────────

  private check(callId: CallId, party: Party): Ack<never> | null {
    const access = this.calls.sfuAccess(callId, party);
    if (access === 'not_member') return NOT_IN_CALL as Ack<never>;
    if (access === 'not_sfu') return NOT_SFU as Ack<never>;
    return null;
  }

  /** The call's room, created (on the least loaded instance) on first use. */
  private room(callId: CallId): Room {
    let room = this.rooms.get(callId);
    if (!room) {
      room = { callId, ready: Promise.resolve(null as unknown as RoomRef), ref: null, devices: new Map(), feeds: new Map(), generation: 0, ended: false, unplaced: false };
      room.ready = this.placeWatched(room);
      this.rooms.set(callId, room);
    } else if (room.unplaced) {
      room.unplaced = false;
      room.ready = this.placeWatched(room);
    }
    return room;
  }

  /**
   * place(), with its failure logged here: `room.ready` is awaited by whoever uses the
   * room next, and a room nobody uses again (its call ended, or the server is closing)
   * would otherwise leave the rejection unhandled. Awaiting callers still get it.
   */
  private placeWatched(room: Room, except?: JanusInstance): Promise<RoomRef> {
    const ready = this.place(room, except);
    ready.catch((err: unknown) => {
      this.log.debug({ callId: room.callId, err: describeError(err) }, 'SFU room not placed');
    });
    return ready;
  }

  private async place(room: Room, except?: JanusInstance): Promise<RoomRef> {
    const instance = this.pool.pick(except);
    if (!instance) {
      room.unplaced = true;
      throw new JanusError('no Janus instance is reachable now', 0);
    }
    let ref: RoomRef;
    try {
      ref = await this.pool.createRoom(instance, room.callId);
    } catch (err) {
      room.unplaced = true;
      throw err;
    }
    if (room.ended) {
      await this.pool.destroyRoom(ref);
      throw new JanusError('the call ended while its room was being created', 0);
    }
    room.ref = ref;
    this.log.info({ callId: room.callId, url: instance.url, roomId: ref.roomId }, 'SFU room created');
    return ref;
  }

  private device(room: Room, deviceId: DeviceId): DeviceState {
    let device = room.devices.get(deviceId);
    if (!device) {
      device = { publishers: new Map(), subscriber: null, early: new Map() };
      room.devices.set(deviceId, device);
      if (room.ref) room.ref.instance.participants += 1;
    }
    return device;
  }

  /** Adds feeds to a device's subscriber: joins it, or updates it, or queues them behind the outstanding offer. */
  private addFeeds(room: Room, deviceId: DeviceId, device: DeviceState, feedIds: number[]): void {
    const subscriber = device.subscriber;
    if (!subscriber) return; // this device has not asked to subscribe
    const fresh = feedIds.filter((id) => !subscriber.feeds.has(id));
    if (fresh.length === 0) return;
    if (subscriber.creating || subscriber.awaitingAnswer) {
      for (const id of fresh) subscriber.waiting.add(id);
      this.log.debug({ callId: room.callId, deviceId, feeds: fresh, creating: subscriber.creating }, 'SFU feeds wait for the outstanding subscriber offer');
      return;
    }
    for (const id of fresh) subscriber.feeds.add(id);
    const generation = room.generation;
    // Set before anything is awaited, so that feeds arriving meanwhile wait instead of joining twice.
    subscriber.creating = true;
    void (async () => {
      try {
        const ref = await room.ready;
        let answer;
        const joining = subscriber.handle === null;
        if (subscriber.handle === null) {
          const handle = await this.pool.attach(ref, (m) => this.onSubscriberNews(room, deviceId, subscriber, m));
          subscriber.handle = handle;
          answer = await ref.connection.message(
            handle,
            { request: 'join', ptype: 'subscriber', room: ref.roomId, pin: ref.pin, streams: fresh.map((feed) => ({ feed })) },
            { awaitEvent: true },
          );
        } else {
          answer = await ref.connection.message(subscriber.handle, { request: 'update', subscribe: fresh.map((feed) => ({ feed })) }, { awaitEvent: true });
        }
        subscriber.creating = false;
        this.log.debug(
          { callId: room.callId, deviceId, feeds: fresh, joining, offer: answer.jsep?.type === 'offer', waiting: subscriber.waiting.size },
          'SFU subscriber joined or updated',
        );
        if (generation !== room.generation || room.ended || device.subscriber !== subscriber) return;
        if (answer.jsep?.type === 'offer') this.relayOffer(room, deviceId, subscriber, answer.jsep, answer.data);
        else if (subscriber.waiting.size > 0) {
          const waiting = [...subscriber.waiting];
          subscriber.waiting.clear();
          this.addFeeds(room, deviceId, device, waiting);
        }
      } catch (err) {
        subscriber.creating = false;
        for (const id of fresh) subscriber.feeds.delete(id);
        this.log.warn({ callId: room.callId, deviceId, err: describeError(err) }, 'could not subscribe a device to new feeds');
      }
    })();
  }

  private relayOffer(room: Room, deviceId: DeviceId, subscriber: Subscriber, jsep: Jsep, data: Record<string, unknown>): void {
    subscriber.awaitingAnswer = true;
    subscriber.offers += 1;
    const streams: ServerToClientEvents['sfu:offer'] extends (p: infer P) => void ? P extends { streams: infer S } ? S : never : never = [];
    const list = Array.isArray(data.streams) ? (data.streams as Record<string, unknown>[]) : [];
    for (const s of list) {
      const feedId = s.feed_id;
      const kind = s.type;
      if (typeof s.mid !== 'string' || typeof feedId !== 'number' || (kind !== 'audio' && kind !== 'video') || s.active === false) continue;
      const owner = room.feeds.get(feedId);
      if (owner) streams.push({ mid: s.mid, deviceId: owner.deviceId, feed: owner.feed, kind });
    }
    this.log.debug({ callId: room.callId, deviceId, streams: streams.length, listed: list.length }, 'SFU subscriber offer relayed');
    this.send(deviceId, 'sfu:offer', { callId: room.callId, description: { type: 'offer', sdp: jsep.sdp }, streams });
  }

  private onSubscriberNews(room: Room, deviceId: DeviceId, subscriber: Subscriber, m: JanusMessage): void {
    if (room.ended || room.devices.get(deviceId)?.subscriber !== subscriber) return;
    if (m.janus === 'trickle') {
      this.relayCandidate(room.callId, deviceId, 'subscriber', m.candidate);
    } else if (m.janus === 'event' && m.jsep?.type === 'offer') {
      // Janus renegotiates by itself when a feed goes away.
      this.log.debug({ callId: room.callId, deviceId, awaitingAnswer: subscriber.awaitingAnswer, creating: subscriber.creating }, 'the media server offers by itself');
      this.relayOffer(room, deviceId, subscriber, m.jsep, m.plugindata?.data ?? {});
    } else if (m.janus === 'hangup') {
      this.log.debug({ callId: room.callId, deviceId, reason: m.reason }, 'an SFU subscriber connection hung up');
    }
  }

  private onPublisherNews(room: Room, deviceId: DeviceId, feed: SfuFeed, feedId: number, m: JanusMessage): void {
    if (room.ended) return;
    if (m.janus === 'trickle') this.relayCandidate(room.callId, deviceId, feed, m.candidate);
    else if (m.janus === 'webrtcup') {
      const known = room.feeds.get(feedId);
      // The media may come up before the join's answer is handled: remembered, and announced by publish.
      if (known) {
        known.up = true;
        this.feedUp(room, feedId);
      } else room.feeds.set(feedId, { deviceId, feed, up: true });
    } else if (m.janus === 'hangup') this.log.debug({ callId: room.callId, deviceId, feed, reason: m.reason }, 'an SFU publisher connection hung up');
  }

  /** A feed's media is up: every other subscribing device gets it. */
  private feedUp(room: Room, feedId: number): void {
    const owner = room.feeds.get(feedId);
    if (!owner) return;
    for (const [deviceId, other] of room.devices) if (deviceId !== owner.deviceId) this.addFeeds(room, deviceId, other, [feedId]);
  }

  private relayCandidate(callId: CallId, deviceId: DeviceId, target: SfuTarget, candidate: unknown): void {
    if (typeof candidate !== 'object' || candidate === null) return;
    const c = candidate as { candidate?: unknown; sdpMid?: unknown; sdpMLineIndex?: unknown; completed?: unknown };
    if (c.completed === true) {
      this.send(deviceId, 'sfu:candidate', { callId, target, candidate: null });
      return;
    }
    if (typeof c.candidate !== 'string') return;
    this.send(deviceId, 'sfu:candidate', {
      callId,
      target,
      candidate: {
        candidate: c.candidate,
        ...(typeof c.sdpMid === 'string' ? { sdpMid: c.sdpMid } : {}),
        ...(typeof c.sdpMLineIndex === 'number' ? { sdpMLineIndex: c.sdpMLineIndex } : {}),
      },
    });
  }

  private async flushEarly(ref: RoomRef, device: DeviceState, target: SfuTarget, handle: number): Promise<void> {
    const early = device.early.get(target);
    if (!early) return;
    device.early.delete(target);
    for (const candidate of early) await ref.connection.trickle(handle, candidate);
  }

  private async unpublishFeed(room: Room, ref: RoomRef, deviceId: DeviceId, device: DeviceState, feed: SfuFeed, publisher: Publisher): Promise<void> {
    device.publishers.delete(feed);
    room.feeds.delete(publisher.feedId);
    for (const other of room.devices.values()) {
      other.subscriber?.feeds.delete(publisher.feedId);
      other.subscriber?.waiting.delete(publisher.feedId);
    }
    // Detaching makes the publisher leave; Janus then renegotiates every subscriber of the feed.
    if (ref.connection.isOpen) await ref.connection.detach(publisher.handle);
    this.log.debug({ callId: room.callId, deviceId, feed }, 'SFU feed unpublished');
  }

  private async dropSubscriber(room: Room, device: DeviceState): Promise<void> {
    const handle = device.subscriber?.handle;
    device.subscriber = null;
    if (handle === undefined || handle === null || !room.ref?.connection.isOpen) return;
    await room.ref.connection.detach(handle);
  }

  private async dropDevice(room: Room, deviceId: DeviceId, device: DeviceState): Promise<void> {
    try {
      const ref = room.ref;
      if (!ref) return;
      if (!room.ended) ref.instance.participants = Math.max(0, ref.instance.participants - 1);
      for (const [feed, publisher] of [...device.publishers]) await this.unpublishFeed(room, ref, deviceId, device, feed, publisher);
      await this.dropSubscriber(room, device);
    } catch (err) {
      this.log.warn({ callId: room.callId, deviceId, err: describeError(err) }, 'could not detach a device from its SFU room');
    }
  }

  /** An instance died: its rooms go to another instance and their members start again. */
  private instanceDown(instance: JanusInstance, reason: string): void {
    for (const room of this.rooms.values()) {
      if (room.ref?.instance !== instance) continue;
      room.generation += 1;
      room.ref = null;
      room.devices.clear();
      room.feeds.clear();
      room.ready = this.place(room, instance);
      room.ready.catch((err: unknown) => this.log.error({ callId: room.callId, err: describeError(err) }, 'could not move an SFU room to another Janus instance'));
      for (const deviceId of this.calls.membersOf(room.callId)) {
        this.send(deviceId, 'sfu:restart', { callId: room.callId, reason: `The media server went away (${reason}); connecting to another one.` });
      }
    }
  }
}
