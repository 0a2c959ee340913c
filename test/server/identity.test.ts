/**
 * Nobody can be someone else (issue 12, item 2): every impersonation path, with
 * real socket.io clients against a real server. Each is refused with
 * `invalid_identity` (or `protocol_mismatch` for an old client), and the victim is
 * unaffected: still online, its call intact, never kicked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deviceCertMessage, sign } from '../../signaling-server/identity';
import { PROTOCOL_VERSION } from '../../signaling-server/protocol';
import { makeIdentity, makeUserKey, proveFor, type TestIdentity } from '../support/testIdentity';
import {
  befriend,
  cleanup,
  connectClient,
  connectRefused,
  establishCall,
  expectHonestCallWorks,
  offer,
  startServer,
  type TestClient,
} from './harness';

afterEach(cleanup);

type Server = Awaited<ReturnType<typeof startServer>>;

/** Alice and Bob, contacts, in a call: the victim and her call. */
async function victimInCall(server: Server) {
  const alice = await connectClient(server, { name: 'alice' });
  const bob = await connectClient(server, { name: 'bob' });
  await befriend(alice, bob);
  const callId = await establishCall(alice, bob);
  return { alice, bob, callId };
}

/** The victim is still herself: online, in the call, never kicked, and the call still carries signals. */
async function expectUnaffected(server: Server, alice: TestClient, bob: TestClient, callId: string): Promise<void> {
  expect(alice.disconnectReason).toBeNull();
  expect(alice.all('session:kicked')).toEqual([]);
  expect(bob.all('presence:updated', (p) => p.userId === alice.userId && p.displayName !== 'alice')).toEqual([]);
  expect(server.stats()).toMatchObject({ usersOnline: 2, devicesOnline: 2, activeCalls: 1 });
  expect(await bob.request('signal', { callId, to: alice.deviceId, data: offer() })).toEqual({ ok: true });
  expect(await alice.next('signal', (p) => p.callId === callId)).toMatchObject({ from: bob.deviceId, fromUserId: bob.userId });
  expect(await alice.request('presence:status', { status: 'available' })).toEqual({ ok: true });
}

/** A credential that names `userKey` but whose certificate Mallory made with her own user key. */
async function forgedCredential(victim: TestIdentity): Promise<TestIdentity> {
  const mallory = await makeIdentity();
  const deviceCert = await sign(mallory.user.pair.privateKey, mallory.user.alg, deviceCertMessage(victim.userId, mallory.device.key));
  return {
    ...mallory,
    userId: victim.userId,
    credential: { userKey: victim.credential.userKey, deviceKey: mallory.device.key, deviceCert },
  };
}

describe('impersonation is refused', () => {
  it("claiming an online user's id (their public user key, a device key of one's own) fails the certificate", async () => {
    const server = await startServer();
    const { alice, bob, callId } = await victimInCall(server);
    const refusal = await connectRefused(server, { name: 'mallory', identity: await forgedCredential(alice.identity), displayName: 'alice' });
    expect(refusal.code).toBe('invalid_identity');
    expect(refusal.message).toContain('certificate');
    await expectUnaffected(server, alice, bob, callId);
  });

  it("claiming a user id and device id (the victim's whole credential, copied) fails without the device's private key", async () => {
    const server = await startServer();
    const { alice, bob, callId } = await victimInCall(server);
    const mallory = await makeIdentity();
    // Alice's public credential, but Mallory's device key signs the proof.
    const copied: TestIdentity = { ...alice.identity, device: mallory.device };
    const refusal = await connectRefused(server, { name: 'mallory', identity: copied, displayName: 'Mallory' });
    expect(refusal.code).toBe('invalid_identity');
    expect(refusal.message).toContain('proof');
    await expectUnaffected(server, alice, bob, callId);
  });

  it('replaying an earlier proof on a new connection fails: the proof names the old connection', async () => {
    const server = await startServer();
    const { alice, bob, callId } = await victimInCall(server);
    // Everything Alice's app sent on her connection, replayed by someone who saw it.
    const host = new URL(server.url).host;
    const oldSession = (alice.socket.io.engine as unknown as { id: string }).id;
    const replayed = {
      protocolVersion: PROTOCOL_VERSION,
      credential: alice.identity.credential,
      proof: await proveFor(alice.identity, host, oldSession),
      displayName: 'alice',
      contacts: [bob.userId],
      strangerCalls: 'ring',
    };
    const refusal = await connectRefused(server, { name: 'replay', auth: replayed });
    expect(refusal.code).toBe('invalid_identity');
    await expectUnaffected(server, alice, bob, callId);
  });

  it('a proof made for another server (another host) fails here', async () => {
    const server = await startServer();
    const { alice, bob, callId } = await victimInCall(server);
    const refusal = await connectRefused(server, { name: 'elsewhere', identity: alice.identity, proofHost: 'parley.example.org' });
    expect(refusal.code).toBe('invalid_identity');
    expect(refusal.message).toContain(new URL(server.url).host);
    await expectUnaffected(server, alice, bob, callId);
  });

  it('an old client (protocol 2, claiming ids) gets protocol_mismatch telling them to update', async () => {
    const server = await startServer();
    const { alice, bob, callId } = await victimInCall(server);
    const refusal = await connectRefused(server, {
      name: 'old',
      auth: { protocolVersion: 2, userId: alice.userId, deviceId: alice.deviceId, displayName: 'alice' },
    });
    expect(refusal.code).toBe('protocol_mismatch');
    expect(refusal.message).toContain('Update Parley');
    await expectUnaffected(server, alice, bob, callId);
  });

  it("a device key certified by another user for the victim's device fails, and the device stays the victim's", async () => {
    const server = await startServer();
    const { alice, bob, callId } = await victimInCall(server);
    // Mallory certifies Alice's device key with her own user key: she still cannot prove she holds it.
    const mallory = await makeUserKey();
    const deviceCert = await sign(mallory.pair.privateKey, mallory.alg, deviceCertMessage(mallory.userId, alice.identity.device.key));
    const posing: TestIdentity = {
      userId: mallory.userId,
      deviceId: alice.deviceId,
      user: mallory,
      device: (await makeIdentity()).device,
      credential: { userKey: mallory.userKey, deviceKey: alice.identity.device.key, deviceCert },
    };
    expect(await connectRefused(server, { name: 'mallory', identity: posing })).toMatchObject({ code: 'invalid_identity' });
    await expectUnaffected(server, alice, bob, callId);
  });

  it('counts identity failures against the address, like wrong passwords', async () => {
    const server = await startServer({
      limitLoopback: true,
      addressLimits: { maxConnections: 100, connectionsPerMinute: 1_000, connectionBurst: 1_000, failedHandshakesPerMinute: 3 },
    });
    const alice = await makeIdentity();
    for (let i = 0; i < 3; i++) {
      expect(await connectRefused(server, { name: `forger-${i}`, identity: await forgedCredential(alice) })).toMatchObject({
        code: 'invalid_identity',
      });
    }
    const locked = await connectRefused(server, { name: 'honest-now', identity: alice });
    expect(locked.code).toBe('rate_limited');
    expect(locked.message).toMatch(/Too many failed sign-ins from your network address/);
  });
});

describe('real identities are admitted', () => {
  it('admits P-256 keys as well as Ed25519, and the same device again with a fresh proof', async () => {
    const server = await startServer();
    const p256 = await connectClient(server, { name: 'p256', identity: await makeIdentity({ alg: 'P-256' }) });
    expect(p256.welcome?.self.userId).toBe(p256.userId);
    const again = await connectClient(server, { name: 'p256-again', identity: p256.identity });
    expect(await p256.next('session:kicked')).toMatchObject({ code: 'invalid_identity' });
    expect(again.welcome?.self).toMatchObject({ userId: p256.userId, deviceId: p256.deviceId });
    await expectHonestCallWorks(server);
  });

  it('reconnects by itself with a new proof for each connection', async () => {
    const open = await startServer();
    const { port } = open.address;
    const alice = await connectClient(open, { name: 'alice', reconnection: true });
    await open.close();
    await startServer({ port });
    await alice.next('session:welcome', () => alice.all('session:welcome').length === 2, 15_000);
    expect(alice.all('session:welcome').at(-1)?.self.userId).toBe(alice.userId);
  });
});
