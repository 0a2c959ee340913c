/**
 * Protocol 2: only a call's own members may rejoin it after the server lost it,
 * and they prove it with the membership token the server signed into their
 * snapshots. The engine keeps the latest token of its call and sends it with
 * `call:rejoin`; without one it does not ask and ends the call as dropped. Runs
 * against the real Switchboard over in-memory sockets (fakeCallServer.ts), which
 * signs and checks the tokens; callRejoin.server.test.ts runs it over socket.io.
 */
import { describe, expect, it } from 'vitest';
import { callSnapshotSchema } from '../../../signaling-server/protocol';
import { FakeCallServer } from '../fakes/fakeCallServer';
import { waitFor } from '../fakes/waitFor';
import { enginePerson, newSelf } from './enginePerson';
import { snapshot } from './fixtures';

const ALICE = await newSelf('Alice');
const BOB = await newSelf('Bob');

async function talking(server: FakeCallServer) {
  const alice = enginePerson(server.connect(ALICE), ALICE);
  const bob = enginePerson(server.connect(BOB), BOB);
  await alice.engine.call(BOB, 'audio');
  await waitFor(() => bob.phase() === 'incoming', 'Bob rings');
  await bob.engine.accept({ video: false });
  await waitFor(() => alice.phase() === 'active' && bob.phase() === 'active' && alice.connected() && bob.connected(), 'both talk');
  const view = alice.view();
  if (view.phase !== 'active') throw new Error('Alice is not in the call');
  return { alice, bob, callId: view.callId };
}

type Person = ReturnType<typeof enginePerson<ReturnType<FakeCallServer['connect']>>>;
const rejoins = (p: Person): { callId: string; rejoinToken: string }[] =>
  p.signaling.sent('call:rejoin') as { callId: string; rejoinToken: string }[];

describe('rejoining a call after the server lost it', () => {
  it('sends the token the server signed for this device, and the call goes on with the same peer connections', async () => {
    const server = new FakeCallServer();
    const { alice, bob, callId } = await talking(server);
    const before = [...alice.live(), ...bob.live()];

    for (const p of [alice, bob]) p.signaling.disconnect();
    server.restart();
    for (const p of [alice, bob]) p.signaling.reconnect();
    await waitFor(() => server.call(callId)?.members.length === 2, 'both are members of the rebuilt call');

    expect(rejoins(alice)).toEqual([expect.objectContaining({ callId, rejoinToken: server.tokenFor(callId, ALICE) })]);
    expect(rejoins(bob)).toEqual([expect.objectContaining({ callId, rejoinToken: server.tokenFor(callId, BOB) })]);
    expect(alice.phase()).toBe('active');
    expect(alice.participants().map((p) => p.deviceId)).toEqual([BOB.deviceId]);
    expect([...alice.live(), ...bob.live()]).toEqual(before);
  });

  it('does not ask without a token: the call ends as dropped, with "Call again"', async () => {
    const server = new FakeCallServer();
    server.issueTokens = false;
    const { alice, callId } = await talking(server);

    alice.signaling.disconnect();
    server.restart();
    alice.signaling.reconnect();
    await waitFor(() => alice.phase() === 'ended', 'Alice’s call ends');

    expect(alice.view()).toMatchObject({ phase: 'ended', callId, reason: 'disconnected' });
    expect(rejoins(alice)).toEqual([]);
    expect(alice.live()).toEqual([]);
  });

  it('a token this server did not sign is refused, and the call ends as dropped', async () => {
    const server = new FakeCallServer();
    const { alice, callId } = await talking(server);
    const signedBefore = server.tokenFor(callId, ALICE);

    // The server comes back with another membership key (its data folder was
    // lost): the token Alice holds proves nothing to it.
    alice.signaling.disconnect();
    server.restart({ membershipSecret: 'another-membership-secret-after-the-restart' });
    expect(server.tokenFor(callId, ALICE)).not.toBe(signedBefore);
    alice.signaling.reconnect();
    await waitFor(() => alice.phase() === 'ended', 'Alice’s call ends');

    expect(rejoins(alice)).toEqual([expect.objectContaining({ callId, rejoinToken: signedBefore })]);
    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'disconnected' });
    expect(server.call(callId)).toBeNull();
  });

  it('a call that ended cannot be rejoined, even with a good token', async () => {
    const server = new FakeCallServer();
    const { alice, bob, callId } = await talking(server);

    alice.signaling.disconnect();
    await bob.engine.hangUp();
    await waitFor(() => server.call(callId) === null, 'the server ends the call');
    alice.signaling.reconnect();
    await waitFor(() => alice.phase() === 'ended', 'Alice’s call ends');

    expect(rejoins(alice)).toEqual([expect.objectContaining({ callId, rejoinToken: server.tokenFor(callId, ALICE) })]);
    expect(server.call(callId)).toBeNull();
    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'disconnected' });
  });
});

describe('the call snapshot schema', () => {
  it('keeps the viewer’s token, and reads a snapshot without one as "no token" instead of dropping it', () => {
    expect(callSnapshotSchema.parse(snapshot({ rejoinToken: 'abc' })).rejoinToken).toBe('abc');
    const { rejoinToken: _, ...older } = snapshot();
    expect(callSnapshotSchema.parse(older).rejoinToken).toBeNull();
    expect(callSnapshotSchema.parse({ ...older, rejoinToken: 'x'.repeat(500) }).rejoinToken).toBeNull();
  });
});
