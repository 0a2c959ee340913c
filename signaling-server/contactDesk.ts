/**
 * Contact requests and device links: the server only relays them, with the
 * sender's verified user key (the handshake checked `idOfKey(userKey) ===
 * userId`), and keeps what is pending in memory, bounded:
 *
 * - `contact:request` is held until answered or MAX_AGE_MS old, at most
 *   MAX_PER_TARGET per target and MAX_PER_SENDER per sender, one per sender and
 *   target (a repeat replaces it). It reaches the target's devices now when they
 *   are online and again after each of their welcomes, so an offline target gets
 *   it when they come back. Only a pending request can be answered; the answer
 *   reaches the requester now, or after their next welcome.
 * - `link:request` reaches the named user's online devices only, with the asking
 *   device's id; `link:answer` reaches only that asking device, and only while its
 *   request is pending (it goes with the device's connection).
 *
 * Neither says whether the target exists or is online: a request to anyone is
 * accepted (held) the same way, so userIds cannot be probed through it. Both are
 * rate-limited per sender and per sender→target pair (the invite limiter's
 * buckets), so they cannot be used to spam.
 */
import type { Party } from './callRecord';
import { fail } from './callRefusals';
import { InviteLimiter } from './inviteLimits';
import { keyId } from './keyCheck';
import type { Presence } from './presence';
import type {
  Ack,
  ContactAnswerPayload,
  ContactRequestPayload,
  DeviceId,
  KeyedUser,
  LinkAnswerPayload,
  LinkRequestPayload,
  ServerToClientEvents,
  UserId,
} from './protocol';
import type { InviteLimitOptions } from './options';

export const CONTACT_LIMITS = {
  maxPerTarget: 100,
  maxPerSender: 50,
  maxAgeMs: 7 * 24 * 3600_000,
  /** Pending requests and answers held at most, all users together. */
  maxTotal: 100_000,
  /** A link request lives as long as its device's connection, and at most this long. */
  linkMaxAgeMs: 10 * 60_000,
  maxLinksPerTarget: 10,
} as const;

/** Per sender→target pair: 3 at once, then one per 10 minutes; per sender: 20, then one per 30 s. */
export const CONTACT_REQUEST_LIMITS: InviteLimitOptions = {
  perPair: { burst: 3, intervalMs: 10 * 60_000 },
  perCaller: { burst: 20, intervalMs: 30_000 },
};
/** Per device→user pair: 3, then one a minute; per asking device: 10, then one per 30 s. */
export const LINK_REQUEST_LIMITS: InviteLimitOptions = {
  perPair: { burst: 3, intervalMs: 60_000 },
  perCaller: { burst: 10, intervalMs: 30_000 },
};

type ServerEvent = keyof ServerToClientEvents;

export interface DeskDelivery<S> {
  sendToMany<E extends ServerEvent>(sockets: readonly S[], event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
}

interface PendingRequest {
  from: KeyedUser;
  secret: string | null;
  at: number;
}

interface PendingAnswer {
  from: KeyedUser;
  accepted: boolean;
  at: number;
}

interface PendingLink {
  to: UserId;
  deviceId: DeviceId;
  displayName: string;
  deviceKey: LinkRequestPayload['deviceKey'];
  secret: string;
  at: number;
}

const tooMany = (what: string, retryInMs: number): Ack =>
  fail('rate_limited', `Too many ${what} in a short time. Try again in ${Math.max(1, Math.ceil(retryInMs / 1000))} s.`);

export class ContactDesk<S> {
  /** target → sender → request */
  private readonly requests = new Map<UserId, Map<UserId, PendingRequest>>();
  /** sender → targets with a pending request */
  private readonly sent = new Map<UserId, Set<UserId>>();
  /** requester → answerer → answer not yet delivered */
  private readonly answers = new Map<UserId, Map<UserId, PendingAnswer>>();
  /** asking device → its link request */
  private readonly links = new Map<DeviceId, PendingLink>();
  private total = 0;
  private readonly requestLimits: InviteLimiter;
  private readonly linkLimits: InviteLimiter;

  constructor(
    private readonly presence: Presence<S>,
    private readonly deliver: DeskDelivery<S>,
    private readonly now: () => number,
  ) {
    this.requestLimits = new InviteLimiter(CONTACT_REQUEST_LIMITS, now);
    this.linkLimits = new InviteLimiter(LINK_REQUEST_LIMITS, now);
  }

  /** Requests and answers held (for tests: the maps stay bounded). */
  get pending(): number {
    return this.total;
  }

  request(party: Party, p: ContactRequestPayload): Ack {
    if (p.to === party.userId) return fail('invalid_payload', 'You cannot add yourself as a contact.');
    const userKey = this.presence.userKey(party.userId);
    if (!userKey) return fail('internal', 'This connection is not registered with the server any more. Reconnect and try again.');
    const now = this.now();
    const inbox = this.requests.get(p.to);
    const repeat = inbox?.get(party.userId);
    if (repeat === undefined) {
      this.expireSent(party.userId, now);
      if ((this.sent.get(party.userId)?.size ?? 0) >= CONTACT_LIMITS.maxPerSender) {
        return fail('rate_limited', `You have ${CONTACT_LIMITS.maxPerSender} contact requests waiting for an answer. Wait for some answers first.`);
      }
      if (inbox) this.expireInbox(p.to, inbox, now);
      if ((inbox?.size ?? 0) >= CONTACT_LIMITS.maxPerTarget || this.total >= CONTACT_LIMITS.maxTotal) {
        // Said the same way whoever the target is: it tells nothing about them.
        return fail('rate_limited', 'This contact request cannot be held right now. Try again later.');
      }
    }
    const limited = this.requestLimits.take(party.userId, p.to);
    if (!limited.ok) return tooMany('contact requests', limited.retryInMs);
    const from: KeyedUser = { userId: party.userId, displayName: party.displayName, userKey };
    const request: PendingRequest = { from, secret: p.secret, at: now };
    if (repeat === undefined) this.total += 1;
    const box = inbox ?? new Map<UserId, PendingRequest>();
    box.set(party.userId, request);
    this.requests.set(p.to, box);
    const sent = this.sent.get(party.userId) ?? new Set<UserId>();
    sent.add(p.to);
    this.sent.set(party.userId, sent);
    this.deliver.sendToMany(this.presence.socketsOf(p.to), 'contact:requested', { from, secret: p.secret });
    return { ok: true };
  }

  answer(party: Party, p: ContactAnswerPayload): Ack {
    const inbox = this.requests.get(party.userId);
    const request = inbox?.get(p.to);
    if (!inbox || !request || this.now() - request.at > CONTACT_LIMITS.maxAgeMs) {
      if (inbox && request) this.dropRequest(party.userId, p.to);
      return fail('not_invited', 'There is no contact request from that person waiting for an answer (it was answered, withdrawn or expired).');
    }
    this.dropRequest(party.userId, p.to);
    const userKey = this.presence.userKey(party.userId);
    if (!userKey) return fail('internal', 'This connection is not registered with the server any more. Reconnect and try again.');
    const from: KeyedUser = { userId: party.userId, displayName: party.displayName, userKey };
    const sockets = this.presence.socketsOf(p.to);
    if (sockets.length > 0) {
      this.deliver.sendToMany(sockets, 'contact:answered', { from, accepted: p.accept });
    } else {
      const box = this.answers.get(p.to) ?? new Map<UserId, PendingAnswer>();
      if (!box.has(party.userId)) this.total += 1;
      box.set(party.userId, { from, accepted: p.accept, at: this.now() });
      this.answers.set(p.to, box);
    }
    return { ok: true };
  }

  /** After a device's welcome: the requests waiting for its user, and the answers to its user's requests. */
  welcomed(userId: UserId, socket: S): void {
    const now = this.now();
    const inbox = this.requests.get(userId);
    if (inbox) {
      this.expireInbox(userId, inbox, now);
      for (const r of inbox.values()) this.deliver.sendToMany([socket], 'contact:requested', { from: r.from, secret: r.secret });
    }
    const answers = this.answers.get(userId);
    if (answers) {
      this.answers.delete(userId);
      this.total -= answers.size;
      for (const a of answers.values()) {
        if (now - a.at <= CONTACT_LIMITS.maxAgeMs) this.deliver.sendToMany([socket], 'contact:answered', { from: a.from, accepted: a.accepted });
      }
    }
  }

  linkRequest(party: Party, p: LinkRequestPayload): Ack {
    if (p.to === party.userId) return fail('invalid_payload', 'This device already belongs to that user.');
    // The key to certify must be the asking device's own, the one its handshake proved: the
    // user then approves, and certifies, the device named in the question.
    if (keyId(p.deviceKey) !== party.deviceId) return fail('invalid_payload', "A link request must carry this device's own key.");
    const now = this.now();
    const limited = this.linkLimits.take(party.deviceId, p.to);
    if (!limited.ok) return tooMany('link requests', limited.retryInMs);
    let forTarget = 0;
    for (const link of this.links.values()) {
      if (now - link.at > CONTACT_LIMITS.linkMaxAgeMs) this.links.delete(link.deviceId);
      else if (link.to === p.to && link.deviceId !== party.deviceId) forTarget += 1;
      if (forTarget >= CONTACT_LIMITS.maxLinksPerTarget) break;
    }
    if (forTarget >= CONTACT_LIMITS.maxLinksPerTarget) return fail('rate_limited', 'Too many devices are waiting to be linked right now. Try again later.');
    const link: PendingLink = { to: p.to, deviceId: party.deviceId, displayName: party.displayName, deviceKey: p.deviceKey, secret: p.secret, at: now };
    this.links.set(party.deviceId, link);
    this.deliver.sendToMany(this.presence.socketsOf(p.to), 'link:requested', {
      deviceId: link.deviceId,
      displayName: link.displayName,
      deviceKey: link.deviceKey,
      secret: link.secret,
    });
    return { ok: true };
  }

  linkAnswer(party: Party, p: LinkAnswerPayload): Ack {
    const link = this.links.get(p.toDevice);
    const asking = this.presence.socketOf(p.toDevice);
    if (!link || link.to !== party.userId || asking === undefined || this.now() - link.at > CONTACT_LIMITS.linkMaxAgeMs) {
      return fail('not_invited', 'No device is waiting for a link answer from you with that id (it gave up, went away or was answered).');
    }
    if (p.accept) {
      const userKey = this.presence.userKey(party.userId);
      if (!userKey || userKey.alg !== p.userKey.alg || userKey.spki !== p.userKey.spki) {
        return fail('invalid_payload', "The userKey in a link answer must be this user's own key.");
      }
    }
    this.links.delete(p.toDevice);
    this.deliver.sendToMany(
      [asking],
      'link:answered',
      p.accept ? { accepted: true, from: party.userId, userKey: p.userKey, deviceCert: p.deviceCert } : { accepted: false, from: party.userId },
    );
    return { ok: true };
  }

  /** A device's socket is gone: its link request goes with it. */
  deviceGone(deviceId: DeviceId): void {
    this.links.delete(deviceId);
  }

  private dropRequest(to: UserId, from: UserId): void {
    const inbox = this.requests.get(to);
    if (!inbox?.delete(from)) return;
    this.total -= 1;
    if (inbox.size === 0) this.requests.delete(to);
    const sent = this.sent.get(from);
    sent?.delete(to);
    if (sent?.size === 0) this.sent.delete(from);
  }

  private expireInbox(to: UserId, inbox: Map<UserId, PendingRequest>, now: number): void {
    for (const [from, r] of [...inbox]) if (now - r.at > CONTACT_LIMITS.maxAgeMs) this.dropRequest(to, from);
  }

  private expireSent(from: UserId, now: number): void {
    for (const to of [...(this.sent.get(from) ?? [])]) {
      const r = this.requests.get(to)?.get(from);
      if (r === undefined || now - r.at > CONTACT_LIMITS.maxAgeMs) this.dropRequest(to, from);
    }
  }
}
