/**
 * The engine's effects of a store change that the store now decides: my mute and
 * camera flags on the server (asked once, asked again after a failure at the next
 * change), and the ended view giving way to a new dial inside the engine. Real
 * engines over the test server (the real Switchboard), fake media and connections.
 */
import { describe, expect, it } from 'vitest';
import type { CallView } from '../../../renderer/call/types';
import { FakeCallServer } from '../fakes/fakeCallServer';
import { waitFor } from '../fakes/waitFor';
import { ALICE, BOB, CAROL, personOn } from './enginePerson';

const person = personOn;

async function talking() {
  const server = new FakeCallServer();
  const alice = person(server, ALICE, 'device-alice-1');
  const bob = person(server, BOB, 'device-bob-01');
  await alice.engine.call(BOB, 'audio');
  await waitFor(() => bob.phase() === 'incoming', 'Bob rings');
  await bob.engine.accept({ video: false });
  await waitFor(() => alice.phase() === 'active' && alice.connected(), 'both in the call');
  return { server, alice, bob };
}

const seenAudio = (viewer: ReturnType<typeof person>): boolean | undefined =>
  (viewer.view() as Extract<CallView, { phase: 'active' }>).participants[0]?.audio;

describe('my flags on the server', () => {
  it('a mute whose call:media fails while offline is asked again at later changes, and reaches the others once back', async () => {
    const { alice, bob } = await talking();
    alice.signaling.disconnect();
    await waitFor(() => alice.view().phase === 'active' && (alice.view() as { reconnectingToServer: boolean }).reconnectingToServer, 'Alice knows the server is away');

    alice.engine.setMuted(true);
    // Refused offline, the ask is cleared and made again at a later change (the speaker poll changes the call).
    await waitFor(() => alice.signaling.sent('call:media').length >= 2, 'the flags were asked again after the failure');

    alice.signaling.reconnect();
    await waitFor(() => seenAudio(bob) === false, 'Bob sees Alice muted once she is back');
    const muted = { callId: expect.any(String), audio: false, video: false };
    expect(alice.signaling.sent('call:media').every((flags) => expect.objectContaining(muted).asymmetricMatch(flags))).toBe(true);
  });
});

describe('dialling from an ended call', () => {
  it('call() itself leaves the ended view first: the window no longer has to dismiss it', async () => {
    const { server, alice, bob } = await talking();
    const carol = person(server, CAROL, 'device-carol-1');
    await bob.engine.hangUp();
    await waitFor(() => alice.phase() === 'ended', 'Alice sees the call end');
    alice.views.length = 0;

    await alice.engine.call(CAROL, 'audio');

    expect([...new Set(alice.views.map((v) => v.phase))]).toEqual(['idle', 'outgoing']);
    await waitFor(() => carol.phase() === 'incoming', 'Carol rings');
    // The call that ended is recorded once, not again when its view is left.
    expect(alice.history).toHaveLength(1);
  });
});
