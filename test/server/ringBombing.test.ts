/**
 * Ring-bombing (issue 10, item 3), with real clients on a real server: invite
 * limits per caller→callee pair and per caller, shared by all of a user's sockets,
 * and block lists that refuse a caller without a ring.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../signaling-server/protocol';
import { makeIdentity, makeUserKey } from '../support/testIdentity';
import { cleanup, connectClient, establishCall, eventually, startServer, type TestClient } from './harness';

afterEach(cleanup);

/** Rings `callee` and hangs up at once: what a ring-bomber does in a loop. */
async function ringAndCancel(caller: TestClient, callee: TestClient) {
  const invited = await caller.request('call:invite', { to: callee.userId, media: 'audio' });
  if (invited.ok) expect(await caller.request('call:cancel', { callId: invited.call.callId, to: callee.userId })).toEqual({ ok: true });
  return invited;
}

describe('invite limits', () => {
  it('lets a caller ring one person three times in a row, then refuses rate_limited saying when to try again', async () => {
    const server = await startServer();
    const mallory = await connectClient(server, { name: 'mallory' });
    const bob = await connectClient(server, { name: 'bob' });
    for (let i = 0; i < 3; i++) expect(await ringAndCancel(mallory, bob)).toMatchObject({ ok: true });
    const refused = await ringAndCancel(mallory, bob);
    expect(refused).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    if (refused.ok) return;
    expect(refused.error.message).toMatch(/^You have called bob too often in a row\. Try again in (\d+) s\.$/);
    const seconds = Number(/in (\d+) s/.exec(refused.error.message)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(10);
    expect(bob.all('call:incoming')).toHaveLength(3);
    // Someone else is not affected, and neither is a call to someone else.
    const carol = await connectClient(server, { name: 'carol' });
    expect(await ringAndCancel(mallory, carol)).toMatchObject({ ok: true });
    const alice = await connectClient(server, { name: 'alice' });
    expect(await ringAndCancel(alice, bob)).toMatchObject({ ok: true });
  });

  it('limits a caller who rings many people, and counts every socket of the user together', async () => {
    const server = await startServer({ inviteLimits: { perPair: { burst: 100, intervalMs: 60_000 }, perCaller: { burst: 4, intervalMs: 60_000 } } });
    const mallory = await makeUserKey();
    const sockets = await Promise.all(
      [0, 1, 2, 3, 4].map(async (i) => connectClient(server, { name: `mallory-${i}`, identity: await makeIdentity({ user: mallory }) })),
    );
    const victims = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => connectClient(server, { name: `victim-${i}` })));
    const answers = [];
    for (const [i, victim] of victims.entries()) answers.push(await ringAndCancel(sockets[i % sockets.length] as TestClient, victim));
    expect(answers.map((a) => (a.ok ? 'rang' : a.error.code))).toEqual(['rang', 'rang', 'rang', 'rang', 'rate_limited', 'rate_limited']);
    expect(answers[4]).toMatchObject({ error: { message: expect.stringMatching(/too many calls in a short time\. Try again in \d+ s\./) } });
    expect(victims.map((v) => v.all('call:incoming').length)).toEqual([1, 1, 1, 1, 0, 0]);
  });

  it('does not count invites that were refused anyway (offline, busy, do not disturb)', async () => {
    const server = await startServer({ inviteLimits: { perPair: { burst: 1, intervalMs: 60_000 }, perCaller: { burst: 1, intervalMs: 60_000 } } });
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    expect(await bob.request('presence:status', { status: 'dnd' })).toEqual({ ok: true });
    for (let i = 0; i < 3; i++) expect(await ringAndCancel(alice, bob)).toMatchObject({ ok: false, error: { code: 'do_not_disturb' } });
    expect(await bob.request('presence:status', { status: 'available' })).toEqual({ ok: true });
    expect(await ringAndCancel(alice, bob)).toMatchObject({ ok: true });
  });

  it('lets the caller ring again once the interval has passed', async () => {
    const server = await startServer({ inviteLimits: { perPair: { burst: 1, intervalMs: 300 }, perCaller: { burst: 10, intervalMs: 300 } } });
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    expect(await ringAndCancel(alice, bob)).toMatchObject({ ok: true });
    expect(await ringAndCancel(alice, bob)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    await eventually(async () => (await ringAndCancel(alice, bob)).ok, 'the pair limit lets alice ring bob again');
    expect(bob.all('call:incoming')).toHaveLength(2);
  });
});

describe('block lists', () => {
  it('refuses a blocked caller with a neutral call_refused, and never rings any device of the blocker', async () => {
    const server = await startServer();
    const mallory = await connectClient(server, { name: 'mallory' });
    const desk = await connectClient(server, { name: 'bob' });
    const phone = await connectClient(server, { name: 'bob', sameUserAs: desk });
    const bobUser = desk.userId;
    expect(await desk.request('block:set', { userIds: [mallory.userId] })).toEqual({ ok: true });
    for (let i = 0; i < 5; i++) {
      expect(await mallory.request('call:invite', { to: bobUser, media: 'video' })).toEqual({
        ok: false,
        error: { code: 'call_refused', message: 'bob is not taking calls from you right now.' },
      });
    }
    // Blocking is one way, and only for the blocked caller.
    const carol = await connectClient(server, { name: 'carol' });
    const callId = await establishCall(carol, desk);
    expect(await desk.request('call:leave', { callId })).toEqual({ ok: true });
    expect(await desk.request('call:invite', { to: mallory.userId, media: 'audio' })).toMatchObject({ ok: true });
    expect(desk.all('call:incoming').map((p) => p.from.userId)).toEqual([carol.userId]);
    expect(phone.all('call:incoming').map((p) => p.from.userId)).toEqual([carol.userId]);
  });

  it('refuses a blocked caller who adds the blocker to a group call', async () => {
    const server = await startServer();
    const mallory = await connectClient(server, { name: 'mallory' });
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    expect(await bob.request('block:set', { userIds: [mallory.userId] })).toEqual({ ok: true });
    const callId = await establishCall(mallory, alice);
    expect(await mallory.request('call:invite', { to: bob.userId, media: 'audio', callId })).toMatchObject({ ok: false, error: { code: 'call_refused' } });
    expect(await alice.request('call:invite', { to: bob.userId, media: 'audio', callId })).toMatchObject({ ok: true });
  });

  it('stops a ring from a caller the moment they are blocked, as a decline', async () => {
    const server = await startServer();
    const mallory = await connectClient(server, { name: 'mallory' });
    const bob = await connectClient(server, { name: 'bob' });
    const invited = await mallory.request('call:invite', { to: bob.userId, media: 'audio' });
    if (!invited.ok) throw new Error(invited.error.message);
    await bob.next('call:incoming');
    expect(await bob.request('block:set', { userIds: [mallory.userId] })).toEqual({ ok: true });
    expect(await bob.next('call:ring-ended')).toEqual({ callId: invited.call.callId, reason: 'declined_elsewhere' });
    expect(await mallory.next('call:ended')).toEqual({ callId: invited.call.callId, reason: 'declined' });
  });

  it('keeps the list while the user has a device online, forgets it when the last one goes, and takes it again after a welcome', async () => {
    const server = await startServer();
    const mallory = await connectClient(server, { name: 'mallory' });
    const desk = await connectClient(server, { name: 'bob' });
    const bobUser = desk.userId;
    expect(await desk.request('block:set', { userIds: [mallory.userId] })).toEqual({ ok: true });
    const phone = await connectClient(server, { name: 'bob', sameUserAs: desk });
    desk.close();
    await eventually(() => server.stats().devicesOnline === 2, 'the desk is gone');
    expect(await mallory.request('call:invite', { to: bobUser, media: 'audio' })).toMatchObject({ ok: false, error: { code: 'call_refused' } });

    phone.close();
    await eventually(() => server.stats().devicesOnline === 1, 'bob is offline');
    const back = await connectClient(server, { name: 'bob', identity: desk.identity });
    // The server kept nothing: the client sends its list again after the welcome.
    expect(await ringAndCancel(mallory, back)).toMatchObject({ ok: true });
    expect(await back.request('block:set', { userIds: [mallory.userId] })).toEqual({ ok: true });
    expect(await mallory.request('call:invite', { to: bobUser, media: 'audio' })).toMatchObject({ ok: false, error: { code: 'call_refused' } });
    // An empty list unblocks.
    expect(await back.request('block:set', { userIds: [] })).toEqual({ ok: true });
    expect(await ringAndCancel(mallory, back)).toMatchObject({ ok: true });
  });

  it(`refuses a list longer than ${LIMITS.maxBlockedUsers} users`, async () => {
    const server = await startServer();
    const bob = await connectClient(server, { name: 'bob' });
    const userIds = Array.from({ length: LIMITS.maxBlockedUsers + 1 }, (_, i) => `blocked-user-${i}`);
    expect(await bob.request('block:set', { userIds })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', message: expect.stringContaining(`at most ${LIMITS.maxBlockedUsers}`) },
    });
    expect(await bob.request('block:set', { userIds: userIds.slice(1) })).toEqual({ ok: true });
  });
});
