/**
 * Contacts you chose (issue 12, item 3, the server's part), with real clients:
 * contact requests and answers (held for whoever is offline), linking a device,
 * the directory, and what calls from strangers may do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deviceCertMessage, sign } from '../../signaling-server/identity';
import { makeIdentity } from '../support/testIdentity';
import {
  answer,
  befriend,
  cleanup,
  connectClient,
  establishCall,
  eventually,
  offer,
  startServer,
  type TestClient,
} from './harness';

afterEach(cleanup);

const SECRET = 'invite-secret-0123456789';

/** A round trip: everything the server would have sent this client before now has arrived. */
const settle = (...clients: TestClient[]) => Promise.all(clients.map((c) => c.request('presence:status', { status: 'available' })));

describe('contact requests', () => {
  it("relays a request with the sender's verified key, and the answer back; only a pending request can be answered", async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const bobPhone = await connectClient(server, { name: 'bob-phone', sameUserAs: bob });
    const carol = await connectClient(server, { name: 'carol' });

    expect(await bob.request('contact:answer', { to: alice.userId, accept: true })).toMatchObject({ ok: false, error: { code: 'not_invited' } });
    expect(await alice.request('contact:request', { to: bob.userId, secret: SECRET })).toEqual({ ok: true });
    const from = { userId: alice.userId, displayName: 'alice', userKey: alice.identity.credential.userKey };
    for (const device of [bob, bobPhone]) expect(await device.next('contact:requested')).toEqual({ from, secret: SECRET });

    expect(await bob.request('contact:answer', { to: alice.userId, accept: true })).toEqual({ ok: true });
    expect(await alice.next('contact:answered')).toEqual({
      from: { userId: bob.userId, displayName: 'bob', userKey: bob.identity.credential.userKey },
      accepted: true,
    });
    // Answered once: the phone cannot answer it again, and a third party never could.
    expect(await bobPhone.request('contact:answer', { to: alice.userId, accept: false })).toMatchObject({ ok: false, error: { code: 'not_invited' } });
    expect(await carol.request('contact:answer', { to: alice.userId, accept: true })).toMatchObject({ ok: false, error: { code: 'not_invited' } });
    await settle(carol);
    expect(carol.received.filter((r) => r.event.startsWith('contact:'))).toEqual([]);
  });

  it('holds a request for a user who is offline and delivers it after their welcome; holds the answer the same way', async () => {
    const server = await startServer();
    const bobId = await makeIdentity();
    const alice = await connectClient(server, { name: 'alice' });
    // Twice: one request per sender and target is kept (the newer one).
    expect(await alice.request('contact:request', { to: bobId.userId, secret: null })).toEqual({ ok: true });
    expect(await alice.request('contact:request', { to: bobId.userId, secret: SECRET })).toEqual({ ok: true });
    alice.close();
    await eventually(() => server.stats().usersOnline === 0, 'alice is gone');

    const bob = await connectClient(server, { name: 'bob', identity: bobId });
    expect(bob.received[0]?.event).toBe('session:welcome');
    expect(await bob.next('contact:requested')).toMatchObject({ from: { userId: alice.userId }, secret: SECRET });
    await settle(bob);
    expect(bob.all('contact:requested')).toHaveLength(1);
    expect(await bob.request('contact:answer', { to: alice.userId, accept: false })).toEqual({ ok: true });

    const back = await connectClient(server, { name: 'alice-again', identity: alice.identity });
    expect(await back.next('contact:answered')).toMatchObject({ from: { userId: bob.userId }, accepted: false });
    // Delivered once.
    const again = await connectClient(server, { name: 'alice-third', sameUserAs: alice });
    await settle(again);
    expect(again.all('contact:answered')).toEqual([]);
  });

  it('the whole way: a request, an accept, both list each other, and presence flows', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    await alice.request('contact:request', { to: bob.userId, secret: SECRET });
    await bob.next('contact:requested');
    await bob.request('contact:answer', { to: alice.userId, accept: true });
    await bob.setContacts([alice.userId]);
    await alice.next('contact:answered');
    await alice.setContacts([bob.userId]);
    expect(await bob.next('presence:joined')).toMatchObject({ userId: alice.userId });
    expect(await alice.next('presence:joined')).toMatchObject({ userId: bob.userId });
  });

  it('refuses asking oneself, and limits how often one asks', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    expect(await alice.request('contact:request', { to: alice.userId, secret: null })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    const acks = [];
    for (let i = 0; i < 5; i++) acks.push(await alice.request('contact:request', { to: bob.userId, secret: null }));
    expect(acks.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual(['ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
    await settle(bob);
    expect(bob.all('contact:requested')).toHaveLength(3);
  });
});

describe('linking a device', () => {
  it("reaches only the named user's devices, and the answer only the device that asked", async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const aliceTab = await connectClient(server, { name: 'alice-tab', sameUserAs: alice });
    const bob = await connectClient(server, { name: 'bob' });
    // The new device: its own fresh identity until it is linked.
    const phone = await connectClient(server, { name: 'new-phone', displayName: 'Phone' });
    const bystander = await connectClient(server, { name: 'bystander' });
    const deviceKey = phone.identity.device.key;

    expect(await phone.request('link:request', { to: alice.userId, secret: SECRET, deviceKey })).toEqual({ ok: true });
    for (const device of [alice, aliceTab]) {
      expect(await device.next('link:requested')).toEqual({ deviceId: phone.deviceId, displayName: 'Phone', deviceKey, secret: SECRET });
    }
    // Someone else cannot answer for Alice, and Alice cannot answer with another user's key.
    expect(await bob.request('link:answer', { toDevice: phone.deviceId, accept: false })).toMatchObject({ ok: false, error: { code: 'not_invited' } });
    const deviceCert = await sign(alice.identity.user.pair.privateKey, alice.identity.user.alg, deviceCertMessage(alice.userId, deviceKey));
    expect(
      await alice.request('link:answer', { toDevice: phone.deviceId, accept: true, userKey: bob.identity.credential.userKey, deviceCert }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });

    const userKey = alice.identity.credential.userKey;
    expect(await aliceTab.request('link:answer', { toDevice: phone.deviceId, accept: true, userKey, deviceCert })).toEqual({ ok: true });
    expect(await phone.next('link:answered')).toEqual({ accepted: true, from: alice.userId, userKey, deviceCert });
    expect(await alice.request('link:answer', { toDevice: phone.deviceId, accept: false })).toMatchObject({ ok: false, error: { code: 'not_invited' } });
    await settle(bob, bystander, phone);
    for (const c of [bob, bystander, phone]) expect(c.all('link:requested')).toEqual([]);
    for (const c of [alice, aliceTab, bob, bystander]) expect(c.all('link:answered')).toEqual([]);

    // With the certificate the phone connects again, as one of Alice's devices.
    phone.close();
    await eventually(() => server.stats().devicesOnline === 4, 'the phone left as its old self');
    const linked = await connectClient(server, {
      name: 'phone-as-alice',
      identity: { ...phone.identity, userId: alice.userId, user: alice.identity.user, credential: { userKey, deviceKey, deviceCert } },
    });
    expect(linked.welcome?.self).toMatchObject({ userId: alice.userId, deviceId: phone.deviceId });
  });

  it('says the same whether the user is online or not, and a request goes with its device', async () => {
    const server = await startServer();
    const nobody = await makeIdentity();
    const alice = await connectClient(server, { name: 'alice' });
    const phone = await connectClient(server, { name: 'phone' });
    const deviceKey = phone.identity.device.key;
    expect(await phone.request('link:request', { to: nobody.userId, secret: SECRET, deviceKey })).toEqual({ ok: true });
    expect(await phone.request('link:request', { to: alice.userId, secret: SECRET, deviceKey })).toEqual({ ok: true });
    await alice.next('link:requested');
    expect(await phone.request('link:request', { to: phone.userId, secret: SECRET, deviceKey })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    phone.close();
    await eventually(() => server.stats().devicesOnline === 1, 'the phone is gone');
    expect(await alice.request('link:answer', { toDevice: phone.deviceId, accept: false })).toMatchObject({ ok: false, error: { code: 'not_invited' } });
  });
});

describe('the directory', () => {
  it('is off by default: directory_off', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    await connectClient(server, { name: 'bob' });
    expect(await alice.request('directory:search', { query: 'bob' })).toMatchObject({ ok: false, error: { code: 'directory_off' } });
  });

  it('when on, finds names by prefix or substring, ignoring case and diacritics, at most 20, never oneself', async () => {
    const server = await startServer({ directory: true });
    const zoe = await connectClient(server, { name: 'zoe', displayName: 'Zoë Ångström' });
    await connectClient(server, { name: 'chloe', displayName: 'Chloé Martin' });
    await connectClient(server, { name: 'bob', displayName: 'Bob' });
    const found = await zoe.request('directory:search', { query: 'LOE' });
    expect(found).toMatchObject({ ok: true, users: [{ displayName: 'Chloé Martin', online: true }] });
    const byAccent = await zoe.request('directory:search', { query: 'angstr' });
    expect(byAccent).toEqual({ ok: true, users: [] });
    const chloe = await connectClient(server, { name: 'searcher' });
    expect(await chloe.request('directory:search', { query: 'zoe ang' })).toMatchObject({ ok: true, users: [{ userId: zoe.userId, displayName: 'Zoë Ångström' }] });
    for (let i = 0; i < 22; i++) await connectClient(server, { name: `many-${i}`, displayName: `Many ${i}` });
    const many = await chloe.request('directory:search', { query: 'many' });
    expect(many.ok && many.users.length).toBe(20);
  });
});

describe('calls from strangers', () => {
  it("'refuse' turns away whoever is not a mutual contact with call_refused, the same words as a block; contacts still ring", async () => {
    const server = await startServer();
    const bob = await connectClient(server, { name: 'bob', strangerCalls: 'refuse' });
    const stranger = await connectClient(server, { name: 'stranger' });
    const friend = await connectClient(server, { name: 'friend' });
    await befriend(bob, friend);
    expect(await stranger.request('call:invite', { to: bob.userId, media: 'audio' })).toEqual({
      ok: false,
      error: { code: 'call_refused', message: 'bob is not taking calls from you right now.' },
    });
    // A one-sided list is not enough.
    await stranger.setContacts([bob.userId]);
    expect(await stranger.request('call:invite', { to: bob.userId, media: 'audio' })).toMatchObject({ ok: false, error: { code: 'call_refused' } });
    await settle(bob);
    expect(bob.all('call:incoming')).toEqual([]);
    expect(await friend.request('call:invite', { to: bob.userId, media: 'audio' })).toMatchObject({ ok: true });
    await bob.next('call:incoming');
  });

  it("hides a ringing stranger's devices from the caller and refuses pre-connect signals, until they answer", async () => {
    const server = await startServer();
    const bob = await connectClient(server, { name: 'bob', strangerCalls: 'ask' });
    const bobTab = await connectClient(server, { name: 'bob-tab', sameUserAs: bob, strangerCalls: 'ask' });
    const alice = await connectClient(server, { name: 'alice' });
    const invited = await alice.request('call:invite', { to: bob.userId, media: 'audio' });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    // The caller's ack and updates: Bob is being called, on no device she may know of.
    expect(invited.call.invitees).toEqual([expect.objectContaining({ userId: bob.userId, devices: [] })]);
    const incoming = await bob.next('call:incoming');
    await bobTab.next('call:incoming');
    // Bob's own devices see themselves (they ring), and the caller's device: she placed the call.
    expect(incoming.call.invitees[0]?.devices.map((d) => d.deviceId).sort()).toEqual([bob.deviceId, bobTab.deviceId].sort());
    expect(incoming.call.members.map((m) => m.deviceId)).toEqual([alice.deviceId]);
    await settle(alice);
    for (const update of alice.all('call:updated')) expect(update.call.invitees.flatMap((i) => i.devices)).toEqual([]);
    expect(JSON.stringify(alice.received)).not.toContain(bob.deviceId);

    // No pre-connect either way (it would reveal addresses).
    expect(await bob.request('signal', { callId, to: alice.deviceId, data: offer() })).toMatchObject({ ok: false, error: { code: 'unknown_recipient' } });
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer() })).toMatchObject({ ok: false, error: { code: 'unknown_recipient' } });

    // Once Bob answers, he is a member: both connect.
    expect(await bob.request('call:accept', { callId, audio: true, video: false })).toMatchObject({ ok: true });
    const both = await alice.next('call:updated', (p) => p.call.members.length === 2);
    expect(both.call.members.map((m) => m.deviceId)).toEqual([alice.deviceId, bob.deviceId]);
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer() })).toEqual({ ok: true });
    expect(await bob.request('signal', { callId, to: alice.deviceId, data: answer() })).toEqual({ ok: true });
    expect(await bob.next('signal')).toMatchObject({ from: alice.deviceId });
    // The tab that did not answer was never listed to Alice.
    expect(JSON.stringify(alice.received)).not.toContain(bobTab.deviceId);
  });

  it("in a group call, lists an invitee's devices only to the members who are their contacts", async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const carol = await connectClient(server, { name: 'carol' });
    await befriend(alice, bob);
    await befriend(alice, carol);
    const callId = await establishCall(alice, bob);
    expect(await alice.request('call:invite', { to: carol.userId, media: 'audio', callId })).toMatchObject({ ok: true });
    const carolRings = (p: { call: { invitees: { userId: string }[] } }) => p.call.invitees.some((i) => i.userId === carol.userId);
    const atAlice = await alice.next('call:updated', carolRings);
    const atBob = await bob.next('call:updated', carolRings);
    expect(atAlice.call.invitees[0]?.devices.map((d) => d.deviceId)).toEqual([carol.deviceId]);
    expect(atBob.call.invitees[0]?.devices).toEqual([]);
    // Carol pre-connects to Alice (a contact), not to Bob.
    expect(await carol.request('signal', { callId, to: alice.deviceId, data: offer() })).toEqual({ ok: true });
    expect(await carol.request('signal', { callId, to: bob.deviceId, data: offer() })).toMatchObject({ ok: false, error: { code: 'unknown_recipient' } });
  });
});
