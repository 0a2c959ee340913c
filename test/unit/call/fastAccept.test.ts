/**
 * Issue 15: a device that rings alone for its user sends from its Accept on, before
 * the server's ack; with two devices ringing, only the one the server picks ever
 * sends (the loser's senders never get a track, not for a moment). Engine level,
 * over the fake call server and fake connections (which have no data channels, so
 * the caller hears of the accept from the server here; the peer-path accept is
 * covered in Chromium by test/e2e/fastAccept.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { FakeCallServer } from '../fakes/fakeCallServer';
import { waitFor } from '../fakes/waitFor';
import { ALICE, BOB, personOn, type EnginePerson } from './enginePerson';

/** Every track ever put on any sender of any connection this device had. */
const everSent = (p: EnginePerson): MediaStreamTrack[] =>
  p.pcs.created.flatMap((pc) => pc.getTransceivers().flatMap((t) => (t.sender as { replaced?: (MediaStreamTrack | null)[] }).replaced ?? [])).filter((t) => t !== null);

describe('accepting without waiting for the server', () => {
  it('the only ringing device puts its tracks on the senders at Accept, before the server answers', async () => {
    const server = new FakeCallServer();
    const alice = personOn(server, ALICE, 'device-alice-1');
    const bob = personOn(server, BOB, 'device-bob-1');
    await alice.engine.call(BOB, 'audio');
    await waitFor(() => bob.phase() === 'incoming' && alice.connected() && bob.connected(), 'Bob rings, pre-connected');
    await waitFor(() => bob.devices.live('audio').length === 1, 'Bob’s microphone is ready');
    expect(everSent(bob)).toEqual([]);

    const accepted = bob.engine.accept({ video: false });
    // Synchronously after the click: the ack cannot have come yet.
    expect(bob.senders().map((s) => s.track)).toEqual(bob.devices.live('audio'));
    expect(bob.view().phase).toBe('active');
    await accepted;
    await waitFor(() => alice.phase() === 'active' && alice.senders().some((s) => s.track !== null), 'Alice sends too');
  });

  it('with two devices ringing, the one that loses the answer race never sends', async () => {
    const server = new FakeCallServer();
    const alice = personOn(server, ALICE, 'device-alice-1');
    const desk = personOn(server, BOB, 'device-bob-desk');
    const laptop = personOn(server, BOB, 'device-bob-laptop');
    await alice.engine.call(BOB, 'audio');
    await waitFor(
      () => desk.phase() === 'incoming' && laptop.phase() === 'incoming' && alice.connected() && desk.connected() && laptop.connected(),
      'both of Bob’s devices ring, pre-connected',
    );
    await waitFor(() => desk.devices.live('audio').length === 1 && laptop.devices.live('audio').length === 1, 'both microphones are ready');

    // Both answer at once: neither sends before the server picked.
    const answers = [laptop.engine.accept({ video: false }), desk.engine.accept({ video: false })];
    expect(everSent(desk)).toEqual([]);
    expect(everSent(laptop)).toEqual([]);
    expect(desk.view().phase).toBe('incoming');
    await Promise.all(answers);
    await waitFor(() => alice.phase() === 'active' && [desk, laptop].some((d) => d.phase() === 'active'), 'the server picked one');
    const [winner, loser] = laptop.phase() === 'active' ? [laptop, desk] : [desk, laptop];
    await waitFor(() => loser.phase() === 'ended', 'the other one stops');
    await waitFor(() => winner.senders().some((s) => s.track !== null), 'the winner sends');
    expect(everSent(loser)).toEqual([]);
    expect(alice.participants().map((p) => p.deviceId)).toEqual([winner.self.deviceId]);
  });
});
