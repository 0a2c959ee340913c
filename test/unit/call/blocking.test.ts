/**
 * Blocking a caller, seen from the call engine: the server refuses a blocked
 * caller's invite (`call_refused`) once it has the list; an invite that overtook
 * the list is declined here without ringing; refusals and invite cooldowns are
 * said plainly with the server's own words. The real Switchboard over in-memory
 * sockets (fakeCallServer.ts); the server's side is tested in test/server.
 */
import { describe, expect, it } from 'vitest';
import { createCallEngine } from '../../../renderer/call/callEngine';
import { blockedPeople, blockUser, MAX_BLOCKED, unblockUser } from '../../../renderer/state/blocking';
import { FakeCallServer } from '../fakes/fakeCallServer';
import { createFakeStream, FakeMediaDevices } from '../fakes/fakeMedia';
import { fakePeerConnections } from '../fakes/fakePeerConnection';
import { waitFor } from '../fakes/waitFor';
import { enginePerson, identityOf, newSelf } from './enginePerson';

const ALICE = await newSelf('Alice');
const MALLORY = await newSelf('Mallory');

describe('a blocked caller', () => {
  it('is refused by the server once it has the list, and the caller reads the refusal said for its code', async () => {
    const server = new FakeCallServer();
    const alice = server.connect(ALICE);
    const mallory = enginePerson(server.connect(MALLORY), MALLORY);
    await alice.request('block:set', { userIds: [MALLORY.userId] });

    await mallory.engine.call(ALICE, 'video');

    expect(mallory.view()).toMatchObject({ phase: 'ended', reason: 'refused', detail: 'They are not taking calls from you right now.' });
    expect(server.activeCalls).toBe(0);
    expect(alice.requests).toHaveLength(1);
  });

  it('whose invite overtakes the list is declined without ringing, showing or being recorded', async () => {
    const server = new FakeCallServer();
    // Alice's engine knows the list; the server has not been sent it yet.
    const blocked = [MALLORY.userId];
    const aliceSignaling = server.connect(ALICE);
    const devices = new FakeMediaDevices();
    const history: unknown[] = [];
    const alice = createCallEngine({
      signaling: aliceSignaling,
      self: ALICE,
      identity: identityOf(ALICE),
      media: devices,
      createPeerConnection: fakePeerConnections().create,
      createMediaStream: createFakeStream,
      onHistory: (entry) => history.push(entry),
      isBlocked: (userId) => blocked.includes(userId),
    });
    const views: string[] = [];
    alice.subscribe((v) => views.push(v.phase));
    const mallory = enginePerson(server.connect(MALLORY), MALLORY);

    await mallory.engine.call(ALICE, 'video');
    await waitFor(() => mallory.phase() === 'ended', 'Mallory’s call ends');

    expect(mallory.view()).toMatchObject({ phase: 'ended', reason: 'declined' });
    expect(aliceSignaling.sent('call:decline')).toHaveLength(1);
    expect(views).toEqual([]);
    expect(alice.getView()).toEqual({ phase: 'idle' });
    expect(devices.live()).toEqual([]);
    expect(history).toEqual([]);
    alice.dispose();
  });

  it('an invite cooldown ends the dial with the server’s message, not "Call failed"', async () => {
    // One ring per minute for a caller → callee pair.
    const server = new FakeCallServer({ inviteLimits: { perPair: { burst: 1, intervalMs: 60_000 }, perCaller: { burst: 10, intervalMs: 3_000 } } });
    server.connect(ALICE);
    const mallory = enginePerson(server.connect(MALLORY), MALLORY);
    await mallory.engine.call(ALICE, 'audio');
    await mallory.engine.cancel();
    await waitFor(() => mallory.phase() === 'ended', 'the first call is cancelled');
    mallory.engine.dismiss();

    await mallory.engine.call(ALICE, 'audio');

    expect(mallory.view()).toMatchObject({ phase: 'ended', reason: 'rate_limited' });
    const view = mallory.view();
    // The server's wait is kept (its sentence, with the name, goes to the log).
    expect(view.phase === 'ended' && view.detail).toMatch(/^The server is holding back your requests for a while\. Try again in \d+ s\.$/);
  });
});

describe('the block list', () => {
  it('adds an id once, removes it, and refuses to grow past the cap with what to do', () => {
    expect(blockUser([], 'user-mallory-01')).toEqual(['user-mallory-01']);
    expect(blockUser(['user-mallory-01'], 'user-mallory-01')).toEqual(['user-mallory-01']);
    expect(unblockUser(['user-a-000001', 'user-mallory-01'], 'user-mallory-01')).toEqual(['user-a-000001']);
    const full = Array.from({ length: MAX_BLOCKED }, (_, i) => `user-${String(i).padStart(8, '0')}`);
    expect(() => blockUser(full, 'user-mallory-01')).toThrow(/Unblock someone in Settings → Blocked/);
  });

  it('names each blocked person from who is online, favourites, then call history; an id alone otherwise', () => {
    const people = blockedPeople(['user-online-01', 'user-fav-0001', 'user-past-0001', 'user-never-001'], {
      online: new Map([['user-online-01', { displayName: 'Olive' }]]),
      favourites: [{ userId: 'user-fav-0001', displayName: 'Fay' }],
      history: [
        {
          id: 'entry-000001',
          callId: 'call-0000001',
          direction: 'incoming',
          outcome: 'missed',
          media: 'audio',
          peers: [{ userId: 'user-past-0001', displayName: 'Pat' }],
          startedAt: 1,
          durationMs: 0,
        },
      ],
    });
    expect(people.map((p) => p.displayName)).toEqual(['Olive', 'Fay', 'Pat', null]);
  });
});
