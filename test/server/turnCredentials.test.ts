import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialFree, EXPIRY_STEP_SECONDS, iceServersFor, turnRestCredential } from '../../signaling-server/turnCredentials';
import { cleanup, connectClient, establishCall, startServer } from './harness';

afterEach(cleanup);

describe('TURN REST API credentials', () => {
  it('matches an independently computed HMAC-SHA1 vector', () => {
    // echo -n "1700003600:alice-user-1" | openssl dgst -sha1 -hmac "north-wind-secret" -binary | base64
    expect(turnRestCredential('north-wind-secret', 'alice-user-1', 1_700_003_600)).toEqual({
      username: '1700003600:alice-user-1',
      credential: 'MqiQ31rv1ziumf4O8caQUY2REgc=',
    });
  });

  it('hands out STUN as configured and TURN credentials that expire after the TTL, rounded up to the expiry step', () => {
    // 1_700_003_400 + 3600 = 1_700_007_000, a multiple of 300: nothing to round.
    const now = 1_700_003_400_000;
    const result = iceServersFor(
      'alice-user-1',
      { urls: ['turn:turn.example:3478', 'turns:turn.example:5349'], secret: 'north-wind-secret', ttlSeconds: 3600 },
      ['stun:stun.example:3478'],
      now,
    );
    const username = '1700007000:alice-user-1';
    expect(result).toEqual({
      ttlSeconds: 3600,
      iceServers: [
        { urls: ['stun:stun.example:3478'] },
        {
          urls: ['turn:turn.example:3478', 'turns:turn.example:5349'],
          username,
          credential: createHmac('sha1', 'north-wind-secret').update(username).digest('base64'),
        },
      ],
    });
  });

  it('returns the same credential for every request within one expiry step, so asking in a loop mints nothing new', () => {
    const turn = { urls: ['turn:turn.example:3478'], secret: 'north-wind-secret', ttlSeconds: 600 };
    const stepEnd = 1_700_000_100_000; // 1_700_000_100 + 600 is a multiple of 300
    const answers = [-299_000, -150_000, -1_000, 0].map((ms) => iceServersFor('alice-user-1', turn, [], stepEnd + ms));
    expect(new Set(answers.map((a) => a.iceServers[0]?.username))).toEqual(new Set(['1700000700:alice-user-1']));
    // The TTL counts down to the shared expiry, never below the configured one.
    expect(answers.map((a) => a.ttlSeconds)).toEqual([899, 750, 601, 600]);
    expect(iceServersFor('alice-user-1', turn, [], stepEnd + 1_000).iceServers[0]?.username).toBe('1700001000:alice-user-1');
    expect(EXPIRY_STEP_SECONDS).toBe(300);
  });

  it('never hands out a credential that lives longer than a day, even after rounding', () => {
    const turn = { urls: ['turn:turn.example:3478'], secret: 'north-wind-secret', ttlSeconds: 24 * 3600 };
    for (const now of [1_700_000_001_000, 1_700_000_299_000, 1_700_000_300_000]) {
      const { ttlSeconds, iceServers } = iceServersFor('alice-user-1', turn, [], now);
      const expiry = Number(iceServers[0]?.username?.split(':')[0]);
      expect(ttlSeconds).toBeLessThanOrEqual(24 * 3600);
      expect(expiry - Math.floor(now / 1000)).toBe(ttlSeconds);
      expect(ttlSeconds).toBeGreaterThan(24 * 3600 - EXPIRY_STEP_SECONDS);
    }
  });

  it('hands out nothing, valid forever, when nothing is configured', () => {
    expect(iceServersFor('alice-user-1', null, [], Date.now())).toEqual({ iceServers: [], ttlSeconds: 0 });
  });
});

describe('ice:servers', () => {
  const turn = { urls: ['turn:turn.example:3478?transport=udp'], secret: 'north-wind-secret', ttlSeconds: 600 };

  it('refuses a device that is in no call, so credentials cannot be harvested, and its welcome carries none', async () => {
    const server = await startServer({ turn, stunUrls: ['stun:stun.example:3478'] });
    const mallory = await connectClient(server, { name: 'mallory' });
    expect(await mallory.request('ice:servers', {})).toMatchObject({ ok: false, error: { code: 'not_in_call', message: expect.stringContaining('in a call') } });
    expect(mallory.welcome).not.toBeNull();
    expect(mallory.welcome?.ice).toBeUndefined();
  });

  it('gives every device a list without credentials with its welcome, for a first call before any ice:servers', async () => {
    const stunOnly = await startServer({ stunUrls: ['stun:stun.example:3478'] });
    const alice = await connectClient(stunOnly, { name: 'alice' });
    expect(alice.welcome?.ice).toEqual({ iceServers: [{ urls: ['stun:stun.example:3478'] }], ttlSeconds: 0 });
    const bare = await startServer();
    const bob = await connectClient(bare, { name: 'bob' });
    expect(bob.welcome?.ice).toEqual({ iceServers: [], ttlSeconds: 0 });
  });

  it('tells a list anyone may have from one with credentials or an expiry', () => {
    expect(credentialFree({ iceServers: [], ttlSeconds: 0 })).toBe(true);
    expect(credentialFree({ iceServers: [{ urls: ['stun:stun.example:3478'] }], ttlSeconds: 0 })).toBe(true);
    expect(credentialFree({ iceServers: [{ urls: ['stun:stun.example:3478'] }], ttlSeconds: 600 })).toBe(false);
    expect(credentialFree({ iceServers: [{ urls: ['turn:turn.example:3478'], username: 'u' }], ttlSeconds: 0 })).toBe(false);
    expect(credentialFree({ iceServers: [{ urls: ['turn:turn.example:3478'], credential: 'c' }], ttlSeconds: 0 })).toBe(false);
    expect(credentialFree(iceServersFor('alice-user-1', turn, [], Date.now()))).toBe(false);
  });

  /** Alice calls Bob on a server with STUN and TURN; Bob's device rings. */
  async function bobRings() {
    const server = await startServer({ turn, stunUrls: ['stun:stun.example:3478'] });
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const invited = await alice.request('call:invite', { to: bob.userId, media: 'audio' });
    if (!invited.ok) throw new Error(invited.error.message);
    const ring = await bob.next('call:incoming');
    return { server, alice, bob, callId: invited.call.callId, ring };
  }

  it("gives a ringing device and the call's members their own short-lived TURN credentials, and nobody after the call", async () => {
    const { alice, bob, callId } = await bobRings();

    const before = Math.floor(Date.now() / 1000);
    for (const client of [alice, bob]) {
      const answer = await client.request('ice:servers', {});
      if (!answer.ok) throw new Error(`${client.name}: ${answer.error.message}`);
      expect(answer.ttlSeconds).toBeGreaterThanOrEqual(600 - 1);
      expect(answer.ttlSeconds).toBeLessThanOrEqual(600 + 300);
      expect(answer.iceServers[0]).toEqual({ urls: ['stun:stun.example:3478'] });
      const relay = answer.iceServers[1];
      const [expiry, userId] = (relay?.username ?? '').split(':');
      expect(userId).toBe(client.userId);
      expect(Number(expiry) % 300).toBe(0);
      expect(Number(expiry) - before).toBeGreaterThanOrEqual(600);
      expect(relay?.credential).toBe(createHmac('sha1', 'north-wind-secret').update(relay?.username ?? '').digest('base64'));
    }

    expect(await bob.request('call:decline', { callId })).toEqual({ ok: true });
    await alice.next('call:ended');
    for (const client of [alice, bob]) expect(await client.request('ice:servers', {})).toMatchObject({ ok: false, error: { code: 'not_in_call' } });
  });

  it("the ring brings the ringing device its own ICE servers, the same as it would get by asking, on every device and in a later device's welcome", async () => {
    const { server, bob, ring } = await bobRings();
    const asked = await bob.request('ice:servers', {});
    if (!asked.ok) throw new Error(asked.error.message);
    expect(ring.ice?.iceServers).toEqual(asked.iceServers);
    expect(ring.ice?.iceServers[1]?.username?.split(':')[1]).toBe(bob.userId);
    expect(Math.abs((ring.ice?.ttlSeconds ?? 0) - asked.ttlSeconds)).toBeLessThanOrEqual(1);
    // Bob's second device, coming online while it rings, gets the ring in its welcome, with them.
    const tab = await connectClient(server, { name: 'bob-tab', sameUserAs: bob });
    expect(tab.welcome?.ringing.map((r) => r.ice?.iceServers)).toEqual([asked.iceServers]);
  });

  it('answers an empty list to a member when nothing is configured', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    await establishCall(alice, bob);
    expect(await alice.request('ice:servers', {})).toEqual({ ok: true, iceServers: [], ttlSeconds: 0 });
  });
});
