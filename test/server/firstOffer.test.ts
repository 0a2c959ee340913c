/**
 * The caller's first offer in `call:invite` (issue 15, protocol 5): the server
 * gives it, unread and unchecked, to one ringing device of a mutual contact with
 * `call:incoming`, names that device in the invite's ack (`offeredTo`), and
 * otherwise drops it without a word. A malformed offer fails the whole invite.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkDtlsProof } from '../../signaling-server/identity';
import { LIMITS, type FirstOffer } from '../../signaling-server/protocol';
import { ackMismatch, eventMismatches } from '../support/schemaRoundTrip';
import {
  answer,
  befriend,
  cleanup,
  connectClient,
  establishCall,
  eventsHolding,
  expectHonestCallWorks,
  firstOfferFrom,
  startServer,
  type TestClient,
} from './harness';

afterEach(cleanup);

/** The same device connecting again while its old socket still stands (a reloaded page): the old one is kicked. */
async function reconnect(server: { url: string }, client: TestClient): Promise<TestClient> {
  const again = await connectClient(server.url, {
    name: `${client.name}-again`,
    identity: client.identity,
    displayName: client.displayName,
    contacts: client.contacts,
  });
  await client.next('session:kicked');
  return again;
}

/** Every event any of `clients` received that holds `tag` (a first offer's SDP tag): where that offer went. */
function wentTo(clients: TestClient[], tag: string): string[] {
  return clients.flatMap((client) => eventsHolding(client, tag));
}

/** Alice, and Bob on his desk and then on a tab, all mutual contacts. */
async function aliceAndBobsTwoDevices() {
  const server = await startServer();
  const alice = await connectClient(server, { name: 'alice' });
  const desk = await connectClient(server, { name: 'bob-desk' });
  const tab = await connectClient(server, { name: 'bob-tab', sameUserAs: desk });
  await befriend(alice, desk, tab);
  return { server, alice, desk, tab };
}

describe('the first offer in call:invite', () => {
  it('reaches the only device of a mutual contact, intact, and its answer reaches the caller', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    await befriend(alice, bob);
    const offer = await firstOfferFrom(alice, bob.userId, 'alice-to-bob');

    const invited = await alice.request('call:invite', { to: bob.userId, media: 'video', offer });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    expect(invited.offeredTo).toBe(bob.deviceId);
    expect(ackMismatch({ event: 'call:invite', ack: invited })).toBeNull();

    const incoming = await bob.next('call:incoming', (p) => p.callId === callId);
    expect(incoming.offer).toEqual({ from: alice.deviceId, sdp: offer.sdp, proof: offer.proof });
    // Untouched on the way: the callee's check of the caller's signature passes.
    if (!incoming.offer) throw new Error('no offer');
    expect(await checkDtlsProof(incoming.offer.proof, incoming.offer.sdp, { userId: alice.userId, fromDeviceId: incoming.offer.from, firstOfferTo: bob.userId })).toEqual({
      ok: true,
    });

    // Bob answers while it still rings (the relay lets mutual contacts pre-connect).
    expect(await bob.request('signal', { callId, to: alice.deviceId, data: answer() })).toEqual({ ok: true });
    expect(await alice.next('signal', (p) => p.callId === callId)).toEqual({ callId, from: bob.deviceId, fromUserId: bob.userId, data: answer() });
    expect(await bob.request('call:accept', { callId, audio: true, video: true })).toMatchObject({ ok: true });
    await alice.next('call:updated', (p) => p.call.members.length === 2);

    // The offer went to Bob's ring and nowhere else; every event still parses with its schema.
    expect(eventsHolding(bob, 'alice-to-bob')).toEqual(['call:incoming']);
    expect(eventsHolding(alice, 'alice-to-bob')).toEqual([]);
    expect([alice, bob].flatMap(eventMismatches)).toEqual([]);
  });

  it('goes to the most recently connected of two devices only, and comes again in its welcome when it reconnects while ringing', async () => {
    const { server, alice, desk, tab } = await aliceAndBobsTwoDevices();
    const offer = await firstOfferFrom(alice, desk.userId, 'to-two-devices');

    const invited = await alice.request('call:invite', { to: desk.userId, media: 'audio', offer });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    expect(invited.offeredTo).toBe(tab.deviceId);
    expect((await tab.next('call:incoming', (p) => p.callId === callId)).offer).toEqual({ from: alice.deviceId, ...offer });
    expect(await desk.next('call:incoming', (p) => p.callId === callId)).not.toHaveProperty('offer');

    // Both reload while it rings: each rings again through its welcome, the offer only on the tab.
    const desk2 = await reconnect(server, desk);
    expect(desk2.welcome?.ringing).toHaveLength(1);
    expect(desk2.welcome?.ringing[0]).toMatchObject({ callId });
    expect(desk2.welcome?.ringing[0]).not.toHaveProperty('offer');
    const tab2 = await reconnect(server, tab);
    expect(tab2.welcome?.ringing).toEqual([expect.objectContaining({ callId, offer: { from: alice.deviceId, ...offer } })]);

    // The reloaded tab answers the offer and accepts.
    expect(await tab2.request('signal', { callId, to: alice.deviceId, data: answer() })).toEqual({ ok: true });
    await alice.next('signal', (p) => p.from === tab.deviceId);
    expect(await tab2.request('call:accept', { callId, audio: true, video: false })).toMatchObject({ ok: true });
    expect(await desk2.next('call:ring-ended')).toEqual({ callId, reason: 'answered_elsewhere' });
    expect(wentTo([alice, desk, tab, desk2, tab2], 'to-two-devices')).toEqual(['call:incoming', 'session:welcome']);
    expect([alice, desk, tab, desk2, tab2].flatMap(eventMismatches)).toEqual([]);
  });

  it('goes to a device that reconnected after the others, as the most recently connected', async () => {
    const { server, alice, desk, tab } = await aliceAndBobsTwoDevices();
    const desk2 = await reconnect(server, desk);

    const invited = await alice.request('call:invite', { to: desk.userId, media: 'audio', offer: await firstOfferFrom(alice, desk.userId) });
    expect(invited).toMatchObject({ ok: true, offeredTo: desk2.deviceId });
    expect((await desk2.next('call:incoming')).offer?.from).toBe(alice.deviceId);
    expect(await tab.next('call:incoming')).not.toHaveProperty('offer');
  });

  it('dies with its device\'s ring: a device that went away and comes back while the others ring gets no offer', async () => {
    const { server, alice, desk, tab } = await aliceAndBobsTwoDevices();
    const offer = await firstOfferFrom(alice, desk.userId, 'gone-with-the-tab');
    const invited = await alice.request('call:invite', { to: desk.userId, media: 'audio', offer });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    expect(invited.offeredTo).toBe(tab.deviceId);
    await tab.next('call:incoming');

    tab.close();
    await alice.next('call:updated', (p) => p.call.invitees[0]?.devices.length === 1);
    const tab2 = await connectClient(server, { name: 'bob-tab-again', identity: tab.identity, contacts: tab.contacts });
    expect(tab2.welcome?.ringing).toHaveLength(1);
    expect(tab2.welcome?.ringing[0]).toMatchObject({ callId });
    expect(tab2.welcome?.ringing[0]).not.toHaveProperty('offer');

    // Declined: the invite is gone, and a device that connects now rings for nothing.
    expect(await desk.request('call:decline', { callId })).toEqual({ ok: true });
    await alice.next('call:ended', (p) => p.callId === callId);
    const tab3 = await connectClient(server, { name: 'bob-tab-third', identity: tab.identity, contacts: tab.contacts });
    expect(tab3.welcome?.ringing).toEqual([]);
    expect(wentTo([alice, desk, tab, tab2, tab3], 'gone-with-the-tab')).toEqual(['call:incoming']);
  });

  it('is dropped for a callee who is not a mutual contact, whichever of the two lists the other', async () => {
    const server = await startServer();
    // Bob lists Alice, who does not list him.
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob', contacts: [alice.userId], strangerCalls: 'ring' });
    const one = await alice.request('call:invite', { to: bob.userId, media: 'audio', offer: await firstOfferFrom(alice, bob.userId, 'callee-lists-caller') });
    if (!one.ok) throw new Error(one.error.message);
    expect(one).not.toHaveProperty('offeredTo');
    expect(await bob.next('call:incoming', (p) => p.callId === one.call.callId)).not.toHaveProperty('offer');
    expect(await alice.request('call:cancel', { callId: one.call.callId, to: bob.userId })).toEqual({ ok: true });

    // Carol lists Dave, who takes calls from strangers but does not list her.
    const dave = await connectClient(server, { name: 'dave', strangerCalls: 'ring' });
    const carol = await connectClient(server, { name: 'carol', contacts: [dave.userId] });
    const two = await carol.request('call:invite', { to: dave.userId, media: 'video', offer: await firstOfferFrom(carol, dave.userId, 'caller-lists-callee') });
    if (!two.ok) throw new Error(two.error.message);
    expect(two).not.toHaveProperty('offeredTo');
    expect(await dave.next('call:incoming', (p) => p.callId === two.call.callId)).not.toHaveProperty('offer');

    expect(wentTo([alice, bob, carol, dave], 'callee-lists-caller')).toEqual([]);
    expect(wentTo([alice, bob, carol, dave], 'caller-lists-callee')).toEqual([]);
  });

  it('is dropped when someone is added to a call, and a meeting asked for without a media server rings nobody', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const carol = await connectClient(server, { name: 'carol' });
    const dave = await connectClient(server, { name: 'dave' });
    await befriend(alice, bob, carol, dave);

    const meeting = await dave.request('call:invite', { to: carol.userId, media: 'video', meeting: true, offer: await firstOfferFrom(dave, carol.userId, 'meeting-offer') });
    expect(meeting).toMatchObject({ ok: false, error: { code: 'sfu_unavailable' } });

    const callId = await establishCall(alice, bob);
    const added = await alice.request('call:invite', { to: carol.userId, media: 'audio', callId, offer: await firstOfferFrom(alice, carol.userId, 'group-offer') });
    if (!added.ok) throw new Error(added.error.message);
    expect(added).not.toHaveProperty('offeredTo');
    const incoming = await carol.next('call:incoming', (p) => p.callId === callId);
    expect(incoming).not.toHaveProperty('offer');
    expect(wentTo([alice, bob, carol, dave], 'meeting-offer')).toEqual([]);
    expect(wentTo([alice, bob, carol, dave], 'group-offer')).toEqual([]);
  });

  it('is dropped in glare: the second invite joins the first call, and its ack names nobody', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    await befriend(alice, bob);
    const first = await alice.request('call:invite', { to: bob.userId, media: 'audio', offer: await firstOfferFrom(alice, bob.userId, 'glare-first') });
    expect(first).toMatchObject({ ok: true, offeredTo: bob.deviceId });
    await bob.next('call:incoming');
    const back = await bob.request('call:invite', { to: alice.userId, media: 'audio', offer: await firstOfferFrom(bob, alice.userId, 'glare-second') });
    if (!back.ok || !first.ok) throw new Error('an invite was refused');
    expect(back.call.callId).toBe(first.call.callId);
    expect(back.call.members).toHaveLength(2);
    expect(back).not.toHaveProperty('offeredTo');
    await alice.next('call:updated', (p) => p.call.members.length === 2);
    expect(alice.all('call:incoming')).toEqual([]);
    expect(wentTo([alice, bob], 'glare-second')).toEqual([]);
  });

  it('fails the whole invite when malformed: invalid_payload, no call, nobody rings', async () => {
    const server = await startServer({ rateLimit: { capacity: 1_000, refillPerSecond: 1_000, maxViolations: 1_000, windowMs: 10_000 } });
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    await befriend(alice, bob);
    const good = await firstOfferFrom(alice, bob.userId, 'malformed');
    // Each with what the refusal names: the field, or the unknown key.
    const cases: [string, unknown, string][] = [
      ['no proof', { sdp: good.sdp }, 'offer.proof'],
      ['no sdp', { proof: good.proof }, 'offer.sdp'],
      ['an empty sdp', { ...good, sdp: '' }, 'offer.sdp'],
      ['an oversized sdp', { ...good, sdp: 'v'.repeat(LIMITS.maxSdpChars + 1) }, 'offer.sdp'],
      ['an sdp that is not text', { ...good, sdp: 42 }, 'offer.sdp'],
      ['an extra key', { ...good, type: 'offer' }, '"type"'],
      ['an extra key in the proof', { ...good, proof: { ...good.proof, extra: true } }, '"extra"'],
      ['a signature that is not base64url', { ...good, proof: { ...good.proof, signature: 'not base64url!' } }, 'offer.proof.signature'],
      ['an unknown key algorithm', { ...good, proof: { ...good.proof, deviceKey: { alg: 'RSA', spki: 'AAAA' } } }, 'offer.proof.deviceKey.alg'],
      ['no certificate', { ...good, proof: { ...good.proof, deviceCert: undefined } }, 'offer.proof.deviceCert'],
      ['a string', 'v=0', 'offer'],
      ['null', null, 'offer'],
      ['an array', [good], 'offer'],
    ];
    for (const [label, offer, named] of cases) {
      const refused = await alice.raw('call:invite', { to: bob.userId, media: 'audio', offer });
      expect(refused, label).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining(named) } });
    }
    expect(server.stats().activeCalls).toBe(0);
    expect(bob.all('call:incoming')).toEqual([]);
    expect(alice.all('call:updated')).toEqual([]);
    // Nothing was left behind: the same invite, well-formed, rings at once.
    const ok = await alice.request('call:invite', { to: bob.userId, media: 'audio', offer: good satisfies FirstOffer });
    expect(ok).toMatchObject({ ok: true, offeredTo: bob.deviceId });
    expect((await bob.next('call:incoming')).offer?.sdp).toBe(good.sdp);
    await expectHonestCallWorks(server);
  });
});
