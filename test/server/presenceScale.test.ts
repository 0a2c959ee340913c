/**
 * Issue 15 item 4: a status change costs work proportional to the user's
 * contacts, not to everyone online. Counted, not timed: the switchboard (built as
 * a standalone node builds it) holds 10,000 online users with 50 mutual contacts
 * each; one user changes status, and we count the sockets told, the lookups in
 * presence's table of online users, and any walk over that whole table. The same
 * change with 1,000 users online must cost exactly the same.
 *
 * And when all 10,000 connect at once (a server restart), each device gets one
 * presence message after its welcome (its roster opened its window, so what its
 * contacts do next comes in one `presence:batch` when the window ends) instead of
 * one per contact, and still learns of every contact.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../signaling-server/logger';
import { resolveOptions } from '../../signaling-server/options';
import { switchboardOptions } from '../../signaling-server/standalone';
import type { Clock } from '../../signaling-server/callLifecycle';
import type { PresenceBatchPayload, PresenceUser, WelcomePayload } from '../../signaling-server/protocol';
import { Switchboard, type Transport } from '../../signaling-server/switchboard';

const CONTACTS = 50;

interface FakeSocket {
  id: number;
}

/** A Map that counts the lookups and the walks over it. */
class CountingMap<K, V> extends Map<K, V> {
  gets = 0;
  walks = 0;
  override get(key: K): V | undefined {
    this.gets += 1;
    return super.get(key);
  }
  override has(key: K): boolean {
    this.gets += 1;
    return super.has(key);
  }
  override values(): MapIterator<V> {
    this.walks += 1;
    return super.values();
  }
  override keys(): MapIterator<K> {
    this.walks += 1;
    return super.keys();
  }
  override entries(): MapIterator<[K, V]> {
    this.walks += 1;
    return super.entries();
  }
  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void): void {
    this.walks += 1;
    super.forEach(fn);
  }
  override [Symbol.iterator](): MapIterator<[K, V]> {
    this.walks += 1;
    return super[Symbol.iterator]();
  }
}

interface Cost {
  /** Sockets that received `presence:updated` (the audience plus the user's own device). */
  told: number;
  events: number;
  lookups: number;
  walks: number;
  /** Every event sent to anyone during the change. */
  sent: number;
}

const userId = (i: number): string => `user${String(i).padStart(6, '0')}`;

/** Time stands still; `windowsEnd()` runs every timer set so far (all presence windows are equally long). */
class StillClock implements Clock {
  private timers = new Map<number, () => void>();
  private nextId = 0;
  now(): number {
    return 1_000_000;
  }
  setTimeout(fn: () => void): unknown {
    this.nextId += 1;
    this.timers.set(this.nextId, fn);
    return this.nextId;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  windowsEnd(): void {
    const due = this.timers;
    this.timers = new Map();
    for (const fn of due.values()) fn();
  }
  /** Until no window is open: held news goes out, then the windows close. */
  quiet(): void {
    for (let round = 0; this.timers.size > 0; round++) {
      if (round > 10) throw new Error('presence windows keep opening');
      this.windowsEnd();
    }
  }
}

interface Sent {
  event: string;
  sockets: readonly FakeSocket[];
  payload: unknown;
}

/** `online` users on a ring, each listing the CONTACTS nearest (all mutual), connected at one instant. */
function ring(online: number): { board: Switchboard<FakeSocket>; sent: Sent[]; clock: StillClock } {
  const sent: Sent[] = [];
  const transport: Transport<FakeSocket> = {
    send: (socket, event, ...args) => {
      sent.push({ event, sockets: [socket], payload: args[0] });
    },
    sendToMany: (sockets, event, ...args) => {
      sent.push({ event, sockets, payload: args[0] });
    },
    kick: (_socket, error) => {
      throw new Error(`unexpected kick: ${error.message}`);
    },
  };
  const clock = new StillClock();
  const board = new Switchboard<FakeSocket>({ ...switchboardOptions(resolveOptions({}), createLogger('silent'), randomBytes(32)), clock }, transport);
  for (let i = 0; i < online; i++) {
    const contacts: string[] = [];
    for (let k = 1; k <= CONTACTS / 2; k++) contacts.push(userId((i + k) % online), userId((i - k + online) % online));
    const party = { userId: userId(i), deviceId: `device${i}`, displayName: `User ${i}` };
    const admitted = board.connect(party, { userKey: { alg: 'Ed25519', spki: `key${i}` }, contacts, strangerCalls: 'ask' }, { id: i });
    if (!admitted) throw new Error(`user ${i} was not admitted`);
  }
  return { board, sent, clock };
}

/** `online` users on a ring, presence quiet again after they connected; user 0 then picks 'away'. */
function statusChangeCost(online: number): Cost {
  const { board, sent, clock } = ring(online);
  try {
    clock.quiet();
    // Swap presence's table of online users for one that counts, with the same entries.
    const presence = board.presence as unknown as { users: Map<string, unknown> };
    const counting = new CountingMap<string, unknown>();
    for (const [key, value] of Map.prototype.entries.call(presence.users) as MapIterator<[string, unknown]>) Map.prototype.set.call(counting, key, value);
    counting.gets = 0;
    counting.walks = 0;
    Object.defineProperty(presence, 'users', { value: counting });
    sent.length = 0;

    const ack = board.handle({ userId: userId(0), deviceId: 'device0', displayName: 'User 0' }, 'presence:status', { status: 'away' });
    expect(ack).toEqual({ ok: true });
    const updates = sent.filter((s) => s.event === 'presence:updated');
    return {
      told: updates.reduce((sum, s) => sum + s.sockets.length, 0),
      events: updates.length,
      lookups: counting.gets,
      walks: counting.walks,
      sent: sent.reduce((sum, s) => sum + s.sockets.length, 0),
    };
  } finally {
    board.dispose();
  }
}

describe('presence at scale (counted, not timed)', () => {
  it('a status change with 10,000 users online reaches the 50 contacts and the own device, and looks at O(contacts) entries', () => {
    const big = statusChangeCost(10_000);
    expect(big.told).toBe(CONTACTS + 1);
    expect(big.sent).toBe(CONTACTS + 1);
    expect(big.events).toBe(1);
    expect(big.walks).toBe(0);
    // Each contact is looked at a small constant number of times (is it online, does it list us, its sockets).
    expect(big.lookups).toBeGreaterThanOrEqual(CONTACTS);
    expect(big.lookups).toBeLessThanOrEqual(4 * CONTACTS + 8);
  }, 120_000);

  it('costs exactly the same with 1,000 users online as with 10,000', () => {
    expect(statusChangeCost(1_000)).toEqual(statusChangeCost(10_000));
  }, 120_000);

  it('10,000 users connecting at once: each device gets one presence message after its welcome, and learns of all its 50 contacts', () => {
    const online = 10_000;
    const { board, sent, clock } = ring(online);
    try {
      clock.quiet();
      const messages = new Map<number, number>();
      const known = new Map<number, Set<string>>();
      const learn = (socket: FakeSocket, users: readonly PresenceUser[]): void => {
        const set = known.get(socket.id) ?? new Set<string>();
        for (const u of users) set.add(u.userId);
        known.set(socket.id, set);
      };
      let presenceMessages = 0;
      for (const s of sent) {
        if (s.event === 'session:welcome') {
          for (const socket of s.sockets) learn(socket, (s.payload as WelcomePayload).users);
          continue;
        }
        if (!s.event.startsWith('presence:')) continue;
        expect(s.event, 'only batches after a welcome').toBe('presence:batch');
        const batch = s.payload as PresenceBatchPayload;
        expect(batch.left).toEqual([]);
        const users = batch.users;
        for (const socket of s.sockets) {
          presenceMessages += 1;
          messages.set(socket.id, (messages.get(socket.id) ?? 0) + 1);
          learn(socket, users);
        }
      }
      // The welcome's roster is each device's first news: the joins after it wait for one batch.
      expect(Math.max(...messages.values())).toBe(1);
      // One message per contact would be 250,000 (each pair of contacts: the later one's join reaches the earlier).
      expect(presenceMessages).toBeLessThanOrEqual(online);
      for (let i = 0; i < online; i++) {
        const expected = new Set<string>();
        for (let k = 1; k <= CONTACTS / 2; k++) expected.add(userId((i + k) % online)).add(userId((i - k + online) % online));
        expect(known.get(i), `user ${i}`).toEqual(expected);
      }
    } finally {
      board.dispose();
    }
  }, 120_000);
});
