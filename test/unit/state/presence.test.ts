import { describe, expect, it } from 'vitest';
import { EMPTY_PRESENCE, presenceReducer, statusOf, type PresenceEvent } from '../../../renderer/state/presence';
import type { PresenceUser } from '../../../signaling-server/protocol';

const me: PresenceUser = { userId: 'me-000000001', displayName: 'Me', status: 'available' };
const bob: PresenceUser = { userId: 'bob-00000001', displayName: 'Bob', status: 'available' };
const carol: PresenceUser = { userId: 'carol-000001', displayName: 'Carol', status: 'dnd' };

const run = (...events: PresenceEvent[]) => events.reduce(presenceReducer, EMPTY_PRESENCE);

describe('presence reducer', () => {
  it('welcome replaces the list and keeps me apart from the others', () => {
    const state = run({ type: 'welcome', self: me, users: [me, bob, carol] });
    expect(state.self).toEqual(me);
    expect([...state.users.keys()]).toEqual([bob.userId, carol.userId]);
  });

  it('a second welcome (after a reconnection) forgets people who left meanwhile', () => {
    const state = run(
      { type: 'welcome', self: me, users: [bob, carol] },
      { type: 'welcome', self: me, users: [carol] },
    );
    expect([...state.users.keys()]).toEqual([carol.userId]);
  });

  it('joined adds a person, updated changes their status or name, left removes them', () => {
    let state = run({ type: 'welcome', self: me, users: [] }, { type: 'joined', user: bob });
    expect(statusOf(state, bob.userId)).toBe('available');
    state = presenceReducer(state, { type: 'updated', user: { ...bob, displayName: 'Bobby', status: 'in_call' } });
    expect(state.users.get(bob.userId)).toEqual({ ...bob, displayName: 'Bobby', status: 'in_call' });
    state = presenceReducer(state, { type: 'left', userId: bob.userId });
    expect(statusOf(state, bob.userId)).toBe('offline');
  });

  it('an update about me changes my own status, not the list', () => {
    const state = run({ type: 'welcome', self: me, users: [bob] }, { type: 'updated', user: { ...me, status: 'away' } });
    expect(state.self?.status).toBe('away');
    expect(state.users.has(me.userId)).toBe(false);
  });

  it('returns the same state for events that change nothing, so React does not re-render', () => {
    const state = run({ type: 'welcome', self: me, users: [bob] });
    expect(presenceReducer(state, { type: 'updated', user: { ...bob } })).toBe(state);
    expect(presenceReducer(state, { type: 'left', userId: carol.userId })).toBe(state);
  });

  it('a batch applies each user in it and each departure, in one new state', () => {
    const dave: PresenceUser = { userId: 'dave-0000001', displayName: 'Dave', status: 'away' };
    const before = run({ type: 'welcome', self: me, users: [bob, carol] });
    const after = presenceReducer(before, {
      type: 'batch',
      batch: { users: [{ ...bob, status: 'in_call' }, dave, { ...me, status: 'dnd' }], left: [carol.userId] },
    });
    expect([...after.users.values()]).toEqual([{ ...bob, status: 'in_call' }, dave]);
    expect(after.self?.status).toBe('dnd');
    // The state it came from is untouched (React compares states by identity).
    expect([...before.users.values()]).toEqual([bob, carol]);
    expect(before.self).toEqual(me);
  });

  it('a batch that changes nothing returns the same state', () => {
    const state = run({ type: 'welcome', self: me, users: [bob] });
    expect(presenceReducer(state, { type: 'batch', batch: { users: [{ ...bob }], left: [carol.userId] } })).toBe(state);
    expect(presenceReducer(state, { type: 'batch', batch: { users: [], left: [] } })).toBe(state);
  });

  it('reset empties everything when the server refused us', () => {
    const state = run({ type: 'welcome', self: me, users: [bob] }, { type: 'reset' });
    expect(state.self).toBeNull();
    expect(state.users.size).toBe(0);
  });
});
