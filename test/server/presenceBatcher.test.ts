/**
 * presenceBatcher.ts: a device's first presence news goes out at once, unless its
 * welcome opened its window just before; what comes within its window is held, the latest of each user, and sent as one batch when
 * the window ends; a full batch goes at once; a device that is gone gets nothing.
 */
import { describe, expect, it } from 'vitest';
import { PresenceBatcher, type PresenceNews, type PresenceOutlet } from '../../signaling-server/presenceBatcher';
import type { PresenceUser } from '../../signaling-server/protocol';
import { ManualClock } from './registryHarness';

const WINDOW = 1_000;
const user = (name: string, status: PresenceUser['status'] = 'available'): PresenceUser => ({ userId: `user-${name}`, displayName: name, status });
const joined = (u: PresenceUser): PresenceNews => ({ event: 'presence:joined', user: u });
const updated = (u: PresenceUser): PresenceNews => ({ event: 'presence:updated', user: u });
const left = (u: PresenceUser): PresenceNews => ({ event: 'presence:left', userId: u.userId });

function setup(windowMs = WINDOW, maxEntries = 100) {
  const sent: { event: string; sockets: string[]; payload: unknown }[] = [];
  const outlet: PresenceOutlet<string> = {
    sendToMany: (sockets, event, ...args) => {
      sent.push({ event, sockets: [...sockets], payload: args[0] });
    },
  };
  const clock = new ManualClock();
  const errors: unknown[] = [];
  const batcher = new PresenceBatcher(outlet, clock, windowMs, maxEntries, (error) => errors.push(error));
  return { sent, clock, batcher, errors };
}

describe('presence batcher', () => {
  it('sends the first news at once, holds what follows within the window, then sends it as one batch', () => {
    const { sent, clock, batcher } = setup();
    const bob = user('bob');
    const carol = user('carol');
    batcher.tell(['a', 'b'], joined(bob));
    expect(sent).toEqual([{ event: 'presence:joined', sockets: ['a', 'b'], payload: bob }]);
    batcher.tell(['a'], joined(carol));
    batcher.tell(['a', 'b'], updated({ ...bob, status: 'away' }));
    expect(sent).toHaveLength(1);
    clock.advance(WINDOW - 1);
    expect(sent).toHaveLength(1);
    clock.advance(1);
    expect(sent.slice(1)).toEqual([
      // In the order the held news came, Bob as he is now.
      { event: 'presence:batch', sockets: ['a'], payload: { users: [carol, { ...bob, status: 'away' }], left: [] } },
      { event: 'presence:batch', sockets: ['b'], payload: { users: [{ ...bob, status: 'away' }], left: [] } },
    ]);
  });

  it('keeps each user once, as their latest news: joined then left is a departure, left then joined a user', () => {
    const { sent, clock, batcher } = setup();
    const bob = user('bob');
    const carol = user('carol');
    batcher.tell(['a'], updated(user('me')));
    batcher.tell(['a'], joined(bob));
    batcher.tell(['a'], left(bob));
    batcher.tell(['a'], left(carol));
    batcher.tell(['a'], joined({ ...carol, status: 'dnd' }));
    clock.advance(WINDOW);
    expect(sent[1]).toEqual({ event: 'presence:batch', sockets: ['a'], payload: { users: [{ ...carol, status: 'dnd' }], left: [bob.userId] } });
  });

  it('a batch starts the window again; a window with nothing held closes, and the next news goes at once', () => {
    const { sent, clock, batcher } = setup();
    batcher.tell(['a'], joined(user('bob')));
    batcher.tell(['a'], joined(user('carol')));
    clock.advance(WINDOW);
    expect(sent.map((s) => s.event)).toEqual(['presence:joined', 'presence:batch']);
    // Within the window that the batch opened: held.
    batcher.tell(['a'], joined(user('dave')));
    expect(sent).toHaveLength(2);
    clock.advance(WINDOW);
    expect(sent.map((s) => s.event)).toEqual(['presence:joined', 'presence:batch', 'presence:batch']);
    clock.advance(WINDOW);
    expect(batcher.holding).toBe(0);
    expect(clock.pending).toBe(0);
    batcher.tell(['a'], left(user('dave')));
    expect(sent[3]).toEqual({ event: 'presence:left', sockets: ['a'], payload: { userId: user('dave').userId } });
  });

  it('sends a full batch at once, and holds the rest for the next', () => {
    const { sent, clock, batcher } = setup(WINDOW, 3);
    batcher.tell(['a'], joined(user('first')));
    for (const name of ['u1', 'u2', 'u3']) batcher.tell(['a'], joined(user(name)));
    // A user already held does not need room.
    batcher.tell(['a'], updated(user('u3', 'away')));
    expect(sent).toHaveLength(1);
    batcher.tell(['a'], joined(user('u4')));
    expect(sent[1]).toEqual({ event: 'presence:batch', sockets: ['a'], payload: { users: [user('u1'), user('u2'), user('u3', 'away')], left: [] } });
    clock.advance(WINDOW);
    expect(sent[2]).toEqual({ event: 'presence:batch', sockets: ['a'], payload: { users: [user('u4')], left: [] } });
  });

  it('a device that is gone gets nothing of what was held, and dispose stops every timer', () => {
    const { sent, clock, batcher } = setup();
    batcher.tell(['a', 'b'], joined(user('bob')));
    batcher.tell(['a', 'b'], joined(user('carol')));
    batcher.forget('a');
    batcher.forget('nobody');
    clock.advance(WINDOW);
    expect(sent.slice(1).map((s) => s.sockets)).toEqual([['b']]);
    batcher.tell(['b'], joined(user('dave')));
    batcher.dispose();
    expect(clock.pending).toBe(0);
    expect(batcher.holding).toBe(0);
  });

  it('a batch that cannot be sent is reported, not thrown out of the timer, and that device starts over', () => {
    const sent: string[] = [];
    let broken = true;
    const outlet: PresenceOutlet<string> = {
      sendToMany: (sockets, event, ..._args) => {
        if (broken && event === 'presence:batch' && sockets.includes('a')) throw new Error('socket buffer gone');
        sent.push(`${event} ${sockets.join(',')}`);
      },
    };
    const clock = new ManualClock();
    const errors: unknown[] = [];
    const batcher = new PresenceBatcher(outlet, clock, WINDOW, 100, (error) => errors.push(error));
    batcher.tell(['a', 'b'], joined(user('bob')));
    batcher.tell(['a', 'b'], joined(user('carol')));
    expect(() => clock.advance(WINDOW)).not.toThrow();
    expect(errors).toEqual([new Error('socket buffer gone')]);
    expect(sent).toEqual(['presence:joined a,b', 'presence:batch b']);
    broken = false;
    batcher.tell(['a'], joined(user('dave')));
    expect(sent.at(-1)).toBe('presence:joined a');
  });

  it('a welcome opens the window: what follows it waits for the batch, and a quiet window closes', () => {
    const { sent, clock, batcher } = setup();
    const bob = user('bob');
    batcher.opened('a');
    batcher.tell(['a', 'b'], joined(bob));
    // 'b' was not welcomed just now: its first news goes at once; 'a' has its roster.
    expect(sent).toEqual([{ event: 'presence:joined', sockets: ['b'], payload: bob }]);
    clock.advance(WINDOW);
    expect(sent[1]).toEqual({ event: 'presence:batch', sockets: ['a'], payload: { users: [bob], left: [] } });
    // A welcome with nothing after it: the window closes, and the next news goes at once.
    batcher.opened('c');
    expect(batcher.holding).toBe(2);
    clock.advance(WINDOW);
    expect(sent).toHaveLength(2);
    expect(batcher.holding).toBe(0);
    batcher.tell(['c'], left(bob));
    expect(sent[2]).toEqual({ event: 'presence:left', sockets: ['c'], payload: { userId: bob.userId } });
  });

  it('a device welcomed again inside its window keeps what is held for it', () => {
    const { sent, clock, batcher } = setup();
    const carol = user('carol');
    batcher.tell(['a'], joined(user('bob')));
    batcher.tell(['a'], joined(carol));
    batcher.opened('a');
    clock.advance(WINDOW);
    expect(sent.slice(1)).toEqual([{ event: 'presence:batch', sockets: ['a'], payload: { users: [carol], left: [] } }]);
    batcher.forget('a');
    expect(clock.pending).toBe(0);
  });

  it('with a window of 0 sends everything at once', () => {
    const { sent, clock, batcher } = setup(0);
    batcher.opened('a');
    batcher.tell(['a'], joined(user('bob')));
    batcher.tell(['a'], left(user('bob')));
    expect(sent.map((s) => s.event)).toEqual(['presence:joined', 'presence:left']);
    expect(clock.pending).toBe(0);
  });

  it('refuses a window or a batch size that makes no sense', () => {
    const outlet: PresenceOutlet<string> = { sendToMany: () => undefined };
    const clock = new ManualClock();
    const fail = (): void => undefined;
    expect(() => new PresenceBatcher(outlet, clock, -1, 10, fail)).toThrow(RangeError);
    expect(() => new PresenceBatcher(outlet, clock, Number.NaN, 10, fail)).toThrow(RangeError);
    expect(() => new PresenceBatcher(outlet, clock, Number.POSITIVE_INFINITY, 10, fail)).toThrow(RangeError);
    expect(() => new PresenceBatcher(outlet, clock, 1_000, 0, fail)).toThrow(RangeError);
  });
});
