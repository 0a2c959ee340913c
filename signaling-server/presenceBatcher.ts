/**
 * Presence news to each device, at most one message per window.
 *
 * When many users connect at once (a server restart, the start of a working day),
 * every device hears of its contacts one by one: with 10,000 users of 50 contacts
 * each, a quarter of a million messages, each its own WebSocket frame and write
 * system call on the server, and each a new contact list to render in the app.
 *
 * So a device that has heard nothing for `windowMs` hears the news at once (the
 * usual `presence:joined`, `presence:updated` or `presence:left`): one status change
 * reaches contacts without delay. What comes for it within the next `windowMs` is
 * held and then sent as one `presence:batch`, which holds the latest news of each
 * user (joined then updated is the user as they are now, joined then left only
 * the leaving). The window starts again with each message, so a device gets at
 * most one presence message per window, however many of its contacts change.
 *
 * A device's welcome is presence news too: its roster is every contact as they are
 * now. So a welcome opens the device's window (`opened`), and what its contacts do
 * in the next `windowMs` follows in one batch. When everyone connects at once,
 * every device hears its contacts arrive right after its own welcome: without
 * this it got the first of them as a message of its own and the rest in a batch,
 * one WebSocket frame (and write system call) more per device.
 *
 * A batch never names more than `maxEntries` users (the protocol's bound): when a
 * held batch is full it goes out at once and the next one starts.
 */
import type { Clock } from './callLifecycle';
import type { PresenceBatchPayload, PresenceUser, ServerToClientEvents, UserId } from './protocol';

/** One piece of presence news, as the single event that carries it. */
export type PresenceNews =
  | { event: 'presence:joined' | 'presence:updated'; user: PresenceUser }
  | { event: 'presence:left'; userId: UserId };

export interface PresenceOutlet<S> {
  sendToMany<E extends 'presence:joined' | 'presence:updated' | 'presence:left' | 'presence:batch'>(
    sockets: readonly S[],
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): void;
}

interface Held {
  /** userId → the latest news of that user, in the order they first changed. */
  news: Map<UserId, PresenceNews>;
  /** Ends the device's window: sends what is held, or forgets the device. */
  timer: unknown;
}

const userIdOf = (news: PresenceNews): UserId => (news.event === 'presence:left' ? news.userId : news.user.userId);

export class PresenceBatcher<S> {
  /** The devices inside their window (each heard something less than `windowMs` ago). */
  private readonly quiet = new Map<S, Held>();

  constructor(
    private readonly outlet: PresenceOutlet<S>,
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly maxEntries: number,
    /** A window's end failed (sending threw): logged by the owner; the device's window closes. */
    private readonly onError: (error: unknown) => void,
  ) {
    if (!(windowMs >= 0) || !Number.isFinite(windowMs)) throw new RangeError(`presence window must be a finite number of ms ≥ 0, not ${windowMs}`);
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`a presence batch must hold at least one user, not ${maxEntries}`);
  }

  /** Devices inside their window, for tests: it empties once presence is quiet. */
  get holding(): number {
    return this.quiet.size;
  }

  /** `news` for each of `sockets`: now to those outside their window, later to the others. */
  tell(sockets: readonly S[], news: PresenceNews): void {
    if (this.windowMs === 0) {
      this.sendOne(sockets, news);
      return;
    }
    const now: S[] = [];
    for (const socket of sockets) {
      const held = this.quiet.get(socket);
      if (held === undefined) {
        now.push(socket);
        this.startWindow(socket);
        continue;
      }
      const userId = userIdOf(news);
      if (!held.news.has(userId) && held.news.size >= this.maxEntries) {
        this.flush(socket, held);
        this.clock.clearTimeout(held.timer);
        held.timer = this.arm(socket);
      }
      held.news.set(userId, news);
    }
    this.sendOne(now, news);
  }

  /**
   * The device just got every contact as they are now (its welcome): its window
   * starts, so news within it waits for the batch. A device already inside its window
   * (welcomed again) keeps what is held: that is at least as new as the roster.
   */
  opened(socket: S): void {
    if (this.windowMs === 0 || this.quiet.has(socket)) return;
    this.startWindow(socket);
  }

  /** The device is gone: what was held for it goes nowhere. */
  forget(socket: S): void {
    const held = this.quiet.get(socket);
    if (held === undefined) return;
    this.clock.clearTimeout(held.timer);
    this.quiet.delete(socket);
  }

  /** Stops every timer; nothing held is sent. */
  dispose(): void {
    for (const held of this.quiet.values()) this.clock.clearTimeout(held.timer);
    this.quiet.clear();
  }

  /** The device heard something just now: nothing more until its window ends. */
  private startWindow(socket: S): void {
    this.quiet.set(socket, { news: new Map(), timer: this.arm(socket) });
  }

  private arm(socket: S): unknown {
    return this.clock.setTimeout(() => {
      try {
        this.windowEnded(socket);
      } catch (error) {
        // A timer's throw would take the whole server down; this device misses one batch.
        this.forget(socket);
        this.onError(error);
      }
    }, this.windowMs);
  }

  private windowEnded(socket: S): void {
    const held = this.quiet.get(socket);
    if (held === undefined) return;
    if (held.news.size === 0) {
      this.quiet.delete(socket);
      return;
    }
    this.flush(socket, held);
    held.timer = this.arm(socket);
  }

  private flush(socket: S, held: Held): void {
    const batch: PresenceBatchPayload = { users: [], left: [] };
    for (const news of held.news.values()) {
      if (news.event === 'presence:left') batch.left.push(news.userId);
      else batch.users.push(news.user);
    }
    held.news = new Map();
    this.outlet.sendToMany([socket], 'presence:batch', batch);
  }

  private sendOne(sockets: readonly S[], news: PresenceNews): void {
    if (sockets.length === 0) return;
    if (news.event === 'presence:left') this.outlet.sendToMany(sockets, 'presence:left', { userId: news.userId });
    else this.outlet.sendToMany(sockets, news.event, news.user);
  }
}
