/**
 * Issue 15: the caller's first offer travels inside `call:invite` (sessionPool.ts),
 * so a device that answers at once does not wait for the offer to cross the server
 * after the ring. Engine level, over the real switchboard (the fake call server)
 * and fake connections; the server's rules are test/server/firstOffer.test.ts, the
 * same in Chromium test/e2e/fastAccept.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { SignalData } from '../../../signaling-server/protocol';
import type { CallSignaling } from '../../../renderer/call/serverEvents';
import { FakeCallServer } from '../fakes/fakeCallServer';
import { waitFor } from '../fakes/waitFor';
import { ALICE, BOB, deviceOf, enginePerson, personOn, type EnginePerson, type EnginePersonOptions, type TestPerson } from './enginePerson';

/** `who` on device `label`, with every request the engine sends kept in `requests`. */
function recorded(server: FakeCallServer, who: TestPerson, label: string, options: EnginePersonOptions = {}) {
  const self = deviceOf(who, label);
  const signaling = server.connect(self);
  const requests: { event: string; payload: unknown }[] = [];
  const recording: CallSignaling = {
    ...signaling,
    request: ((event: string, payload: unknown) => {
      requests.push({ event, payload });
      return (signaling.request as (e: string, p: unknown) => Promise<unknown>)(event, payload);
    }) as CallSignaling['request'],
  };
  /** The server's welcome arrived (what it brings is the engine's before any call). */
  const welcomed = (): boolean => signaling.getState().phase === 'online';
  return { ...enginePerson(recording, self, options), requests, welcomed };
}

const invites = (p: { requests: { event: string; payload: unknown }[] }) =>
  p.requests.filter((r) => r.event === 'call:invite').map((r) => r.payload as { offer?: { sdp: string } });

/** Offers this device relayed as signals (not in an invite). */
const relayedOffers = (p: { requests: { event: string; payload: unknown }[] }) =>
  p.requests.filter((r) => r.event === 'signal' && (r.payload as { data: SignalData }).data.kind === 'description').filter((r) => {
    const data = (r.payload as { data: SignalData }).data;
    return data.kind === 'description' && data.description.type === 'offer';
  });

/** Bob calls Alice and she declines: her ring brought the server's ICE servers, which a call back reuses. */
async function bobCalledFirst(alice: EnginePerson, bob: EnginePerson): Promise<void> {
  await bob.engine.call(ALICE, 'audio');
  await waitFor(() => alice.phase() === 'incoming', 'Alice rings');
  await alice.engine.decline();
  await waitFor(() => bob.phase() === 'ended' && alice.phase() === 'ended', 'declined');
  alice.engine.dismiss();
  bob.engine.dismiss();
}

/** Alice calls Bob and cancels once `rang` holds; resolves with the invite she sent. */
async function calledAndCancelled(alice: ReturnType<typeof recorded>, bob: EnginePerson, rang: () => boolean, what: string) {
  await alice.engine.call(BOB, 'audio');
  await waitFor(rang, what);
  const invite = invites(alice).at(-1);
  await alice.engine.cancel();
  await waitFor(() => bob.phase() === 'ended', 'the ring stopped');
  alice.engine.dismiss();
  bob.engine.dismiss();
  return invite;
}

describe("the caller's first offer", () => {
  it('a call back carries it: the ringing device answers it, no offer is relayed, and the connection made before the invite carries the call', async () => {
    const server = new FakeCallServer();
    const alice = recorded(server, ALICE, 'device-alice-1');
    const bob = personOn(server, BOB, 'device-bob-1');
    await bobCalledFirst(alice, bob);
    const [aliceBefore, bobBefore, signalsBefore] = [alice.pcs.created.length, bob.pcs.created.length, alice.requests.length];

    await alice.engine.call(BOB, 'audio');
    await waitFor(() => bob.phase() === 'incoming' && alice.connected() && bob.connected(), 'Bob rings, pre-connected');

    expect(invites(alice).at(-1)?.offer?.sdp).toMatch(/^a=fingerprint:/m);
    expect(relayedOffers({ requests: alice.requests.slice(signalsBefore) })).toEqual([]);
    const [alicePc, ...moreOfAlice] = alice.pcs.created.slice(aliceBefore);
    const [bobPc, ...moreOfBob] = bob.pcs.created.slice(bobBefore);
    expect([moreOfAlice, moreOfBob]).toEqual([[], []]);
    expect(alicePc?.log).toEqual(['local offer', 'remote answer']);
    expect(bobPc?.log).toEqual(['remote offer', 'local answer']);

    await bob.engine.accept({ video: false });
    await waitFor(() => alice.phase() === 'active' && bob.phase() === 'active', 'answered');
    await waitFor(() => [alice, bob].every((p) => p.senders().some((s) => s.track !== null)), 'both send');
    expect(alicePc?.closed).toBe(false);
  });

  it('is not made for a contact whose presence I do not see (they do not list me, or are offline): the server would drop it', async () => {
    const server = new FakeCallServer();
    const alice = recorded(server, ALICE, 'device-alice-1', { seesPresenceOf: (userId) => userId !== BOB.userId });
    const bob = personOn(server, BOB, 'device-bob-1');
    await bobCalledFirst(alice, bob);
    const before = alice.pcs.created.length;

    await alice.engine.call(BOB, 'audio');
    await waitFor(() => bob.phase() === 'incoming' && alice.connected() && bob.connected(), 'Bob rings, pre-connected the usual way');
    expect(invites(alice).at(-1)?.offer).toBeUndefined();
    expect(alice.pcs.created.slice(before)).toHaveLength(1);
  });

  it('comes with the first call after connecting when the server has no TURN: its welcome brought the ICE servers', async () => {
    const server = new FakeCallServer();
    const alice = recorded(server, ALICE, 'device-alice-1');
    const bob = personOn(server, BOB, 'device-bob-1');
    await waitFor(() => alice.welcomed(), 'Alice is welcomed');

    await alice.engine.call(BOB, 'audio');
    await waitFor(() => bob.phase() === 'incoming' && alice.connected() && bob.connected(), 'Bob rings, pre-connected');
    expect(invites(alice).at(-1)?.offer?.sdp).toMatch(/^a=fingerprint:/m);
    expect(alice.requests.map((r) => r.event)).not.toContain('ice:servers');
    expect(relayedOffers(alice)).toEqual([]);
  });

  it('is not made before a call gave ICE servers on a server with TURN (their credentials are only for calls)', async () => {
    const server = new FakeCallServer({ turn: { urls: ['turn:turn.example:3478'], secret: 'north-wind-secret' } });
    const alice = recorded(server, ALICE, 'device-alice-1');
    const bob = personOn(server, BOB, 'device-bob-1');
    await waitFor(() => alice.welcomed(), 'Alice is welcomed');

    const first = await calledAndCancelled(alice, bob, () => bob.phase() === 'incoming' && alice.connected() && bob.connected(), 'Bob rings, pre-connected the usual way');
    expect(first?.offer).toBeUndefined();

    // That call fetched them (with credentials that are still good): the next call carries it.
    await alice.engine.call(BOB, 'audio');
    await waitFor(() => bob.phase() === 'incoming' && alice.connected() && bob.connected(), 'Bob rings again, pre-connected');
    expect(invites(alice).at(-1)?.offer?.sdp).toMatch(/^a=fingerprint:/m);
  });

  it('is not made for someone who is not a contact, before or after a call gave ICE servers', async () => {
    const server = new FakeCallServer({ turn: { urls: ['turn:turn.example:3478'], secret: 'north-wind-secret' } });
    const alice = recorded(server, ALICE, 'device-alice-1', { isContact: (userId) => userId !== BOB.userId });
    const bob = personOn(server, BOB, 'device-bob-1');

    const first = await calledAndCancelled(alice, bob, () => bob.phase() === 'incoming', 'Bob rings');
    expect(first?.offer).toBeUndefined();

    // Her first call fetched ICE servers: the next one to someone she does not list still goes without.
    await alice.engine.call(BOB, 'audio');
    await waitFor(() => bob.phase() === 'incoming', 'Bob rings again');
    expect(invites(alice).at(-1)?.offer).toBeUndefined();
    expect(alice.pcs.open()).toEqual([]); // and nothing pre-connects to a stranger
  });

  it('to someone with two devices: the most recently connected gets it, the other connects the usual way, and either may answer', async () => {
    const server = new FakeCallServer();
    const alice = recorded(server, ALICE, 'device-alice-1');
    const desk = personOn(server, BOB, 'device-bob-desk');
    const laptop = personOn(server, BOB, 'device-bob-laptop');
    await bobCalledFirst(alice, desk);
    laptop.engine.dismiss();
    const [deskBefore, laptopBefore] = [desk.pcs.created.length, laptop.pcs.created.length];

    await alice.engine.call(BOB, 'audio');
    await waitFor(
      () => desk.phase() === 'incoming' && laptop.phase() === 'incoming' && alice.connected() && desk.connected() && laptop.connected(),
      'both ring, pre-connected',
    );
    expect(invites(alice).at(-1)?.offer).toBeDefined();
    // The laptop connected last: it answered Alice's first offer; the desk negotiated by the id rule.
    expect(laptop.pcs.created.slice(laptopBefore).map((pc) => pc.log)).toEqual([['remote offer', 'local answer']]);
    expect(desk.pcs.created.slice(deskBefore)).toHaveLength(1);
    expect(alice.live()).toHaveLength(2);

    await desk.engine.accept({ video: false });
    await waitFor(() => alice.phase() === 'active' && desk.phase() === 'active' && laptop.phase() === 'ended', 'the desk answered');
    await waitFor(() => alice.senders().some((s) => s.track !== null) && desk.senders().some((s) => s.track !== null), 'both send');
    expect(alice.live()).toHaveLength(1);
  });
});
