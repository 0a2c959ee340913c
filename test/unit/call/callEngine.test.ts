import { describe, expect, it } from 'vitest';
import { historyEntrySchema } from '../../../preload/contract';
import { FakeCallServer } from '../fakes/fakeCallServer';
import { waitFor } from '../fakes/waitFor';
import { ManualTimers, manualClock } from './manualTimers';
import { ALICE, BOB, CAROL, newDevice, personAt, personOn } from './enginePerson';

const person = personOn;
type Person = ReturnType<typeof person>;

const phase = (p: Person) => p.phase();
const participants = (p: Person) => p.participants();

/**
 * Alice calls Bob; waits until Bob rings and both sides pre-connected. Of two
 * devices the smaller id is polite: `callerPolite` picks Alice's device to match.
 */
async function ringing(media: 'audio' | 'video', callerPolite?: boolean) {
  const server = new FakeCallServer();
  const bobSelf = await newDevice(BOB);
  const alice =
    callerPolite === undefined
      ? person(server, ALICE, 'device-alice-1')
      : personAt(server, await newDevice(ALICE, (id) => (id < bobSelf.deviceId) === callerPolite));
  const bob = personAt(server, bobSelf);
  await alice.engine.call(BOB, media);
  await waitFor(() => phase(bob) === 'incoming', 'Bob rings');
  await waitFor(() => alice.connected() && bob.connected(), 'both sides pre-connected while it rings');
  await waitFor(() => bob.devices.live('audio').length === 1, 'Bob’s microphone is ready');
  return { server, alice, bob };
}

describe('call engine', () => {
  describe.each([
    ['the caller is polite', true],
    ['the callee is polite', false],
  ])('when %s', (_, ids) => {
    it('an incoming call pre-connects while it rings and no sender has a track', async () => {
      const { alice, bob } = await ringing('video', ids);

      expect(alice.view()).toMatchObject({ phase: 'outgoing', peer: BOB, media: 'video' });
      expect(bob.view()).toMatchObject({ phase: 'incoming', from: ALICE, media: 'video', others: [] });
      expect(alice.live()).toHaveLength(1);
      expect(bob.live()).toHaveLength(1);
      // Audio and video transceivers on both sides, sendrecv, and nothing on them.
      for (const p of [alice, bob]) {
        expect(p.live()[0]?.getTransceivers().map((t) => [t.kind, t.direction])).toEqual([
          ['audio', 'sendrecv'],
          ['video', 'sendrecv'],
        ]);
        expect(p.senders().map((s) => s.track)).toEqual([null, null]);
        expect(p.senders().flatMap((s) => s.replaced).filter((t) => t !== null)).toEqual([]);
      }
      // Bob's media is ready for the answer (acquired while ringing), but not sent.
      expect(bob.devices.live().map((t) => t.kind).sort()).toEqual(['audio', 'video']);
    });

    it('accepting attaches the tracks with replaceTrack, with no new offer', async () => {
      const { alice, bob } = await ringing('video', ids);
      const offersBefore = alice.offers() + bob.offers();

      await bob.engine.accept({ video: true });
      await waitFor(() => phase(alice) === 'active', 'Alice sees Bob answer');
      await waitFor(() => alice.senders().every((s) => s.track !== null), 'Alice sends');

      const [bobMic] = bob.devices.live('audio');
      const [bobCam] = bob.devices.live('video');
      expect(bob.senders().map((s) => s.track)).toEqual([bobMic, bobCam]);
      expect(alice.senders().map((s) => s.track)).toEqual([alice.devices.live('audio')[0], alice.devices.live('video')[0]]);
      expect(alice.offers() + bob.offers()).toBe(offersBefore);
      expect(alice.live().concat(bob.live()).every((pc) => !pc.needsNegotiation())).toBe(true);
      expect(bob.signaling.sent('call:accept')).toEqual([{ callId: expect.any(String), audio: true, video: true }]);

      for (const p of [alice, bob]) {
        const v = p.view();
        expect(v.phase === 'active' && v.connectedAt).toEqual(expect.any(Number));
        expect(participants(p)[0]).toMatchObject({ connection: 'connected', speaking: false });
        expect(participants(p)[0]?.stream?.getTracks()).toHaveLength(2);
      }
    });

    it('an audio-only answer of a video call never puts the camera on a sender, not for a moment', async () => {
      const { alice, bob } = await ringing('video', ids);
      await waitFor(() => bob.devices.live('video').length === 1, 'Bob’s camera is on for the preview while it rings');
      const [bobCam] = bob.devices.live('video');

      await bob.engine.accept({ video: false });
      await waitFor(() => phase(alice) === 'active', 'Alice sees Bob answer');
      await waitFor(() => bob.senders().some((s) => s.track !== null), 'Bob sends his microphone');

      // Every replaceTrack Bob's senders ever saw: the microphone, never the camera.
      const everSent = bob
        .live()
        .flatMap((pc) => pc.getTransceivers().flatMap((t) => t.sender.replaced.map((track) => [t.kind, track?.kind ?? null])));
      expect(everSent.filter(([, kind]) => kind === 'video')).toEqual([]);
      expect(everSent).toContainEqual(['audio', 'audio']);
      expect(bob.senders().map((s) => s.track?.kind ?? null)).toEqual(['audio', null]);
      expect(bobCam?.readyState).toBe('ended');
      expect(bob.devices.live('video')).toEqual([]);
      expect(bob.signaling.sent('call:accept')).toEqual([{ callId: expect.any(String), audio: true, video: false }]);
      await waitFor(() => participants(alice)[0]?.video === false, 'Alice sees Bob without video');
      expect(bob.view()).toMatchObject({ phase: 'active', local: { cameraOn: false, error: null } });
    });
  });

  it('calling the person who is ringing you answers their call instead of refusing', async () => {
    const { alice, bob } = await ringing('video');

    await bob.engine.call(ALICE, 'audio');

    await waitFor(() => phase(alice) === 'active' && phase(bob) === 'active', 'both in the call');
    expect(bob.signaling.sent('call:invite')).toEqual([]);
    expect(bob.signaling.sent('call:accept')).toEqual([{ callId: expect.any(String), audio: true, video: false }]);
  });

  it('hanging up ends the call on both sides, closes every session, stops every track and records history', async () => {
    const { alice, bob } = await ringing('audio');
    await bob.engine.accept({ video: false });
    await waitFor(() => phase(alice) === 'active', 'active');
    const pcs = [...alice.live(), ...bob.live()];

    await alice.engine.hangUp();
    await waitFor(() => phase(bob) === 'ended', 'Bob learns the call ended');

    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'local_hangup', peers: [BOB] });
    expect(bob.view()).toMatchObject({ phase: 'ended', reason: 'hangup', peers: [ALICE] });
    expect(pcs.every((pc) => pc.closed && pc.listenerCount() === 0)).toBe(true);
    expect([...alice.devices.live(), ...bob.devices.live()]).toEqual([]);
    expect(alice.history).toEqual([expect.objectContaining({ direction: 'outgoing', outcome: 'answered', media: 'audio', peers: [BOB] })]);
    expect(bob.history).toEqual([expect.objectContaining({ direction: 'incoming', outcome: 'answered', peers: [ALICE] })]);
    for (const entry of [...alice.history, ...bob.history]) expect(historyEntrySchema.safeParse(entry).success).toBe(true);

    alice.engine.dismiss();
    expect(alice.view()).toEqual({ phase: 'idle' });
  });

  it('declining ends it for both: declined by me here, declined there, and both record it', async () => {
    const { alice, bob } = await ringing('audio');
    const pcs = [...alice.live(), ...bob.live()];

    await bob.engine.decline();
    await waitFor(() => phase(alice) === 'ended', 'Alice learns Bob declined');

    expect(bob.view()).toMatchObject({ phase: 'ended', reason: 'local_decline', durationMs: 0 });
    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'declined', durationMs: 0 });
    expect(pcs.every((pc) => pc.closed)).toBe(true);
    expect(bob.devices.live()).toEqual([]);
    expect(alice.history).toEqual([expect.objectContaining({ outcome: 'declined', direction: 'outgoing', durationMs: 0 })]);
    expect(bob.history).toEqual([expect.objectContaining({ outcome: 'declined', direction: 'incoming' })]);
  });

  it('cancelling before an answer is a missed call for the callee', async () => {
    const { alice, bob } = await ringing('audio');

    await alice.engine.cancel();
    await waitFor(() => phase(bob) === 'ended', 'Bob stops ringing');

    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'cancelled' });
    expect(bob.view()).toMatchObject({ phase: 'ended', reason: 'missed', peers: [ALICE] });
    expect(alice.history).toEqual([expect.objectContaining({ outcome: 'cancelled' })]);
    expect(bob.history).toEqual([expect.objectContaining({ outcome: 'missed', direction: 'incoming' })]);
    expect(bob.devices.live()).toEqual([]);
  });

  it('calling someone who is in another call ends as busy', async () => {
    const server = new FakeCallServer();
    const alice = person(server, ALICE, 'device-alice-1');
    const bob = person(server, BOB, 'device-bob-01');
    const carol = person(server, CAROL, 'device-carol-1');
    await bob.engine.call(CAROL, 'audio');
    await waitFor(() => phase(carol) === 'incoming', 'Carol rings');
    await carol.engine.accept({ video: false });
    await waitFor(() => phase(bob) === 'active', 'Bob and Carol talk');

    await alice.engine.call(BOB, 'audio');

    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'busy', callId: null, peers: [BOB] });
    expect(alice.live()).toEqual([]);
    expect(alice.devices.live()).toEqual([]);
    expect(alice.history).toEqual([expect.objectContaining({ outcome: 'busy', durationMs: 0 })]);
    expect(historyEntrySchema.safeParse(alice.history[0]).success).toBe(true);
  });

  it('a camera that fails keeps the call going audio-only, and says why', async () => {
    const server = new FakeCallServer();
    const alice = person(server, ALICE, 'device-alice-1');
    const bob = person(server, BOB, 'device-bob-01');
    bob.devices.camera = 'NotFoundError';
    await alice.engine.call(BOB, 'video');
    await waitFor(() => {
      const v = bob.view();
      return v.phase === 'incoming' && v.local?.error !== null && v.local?.error !== undefined;
    }, 'Bob sees the camera problem while it rings');

    await bob.engine.accept({ video: true });
    await waitFor(() => phase(alice) === 'active' && bob.senders().some((s) => s.track !== null), 'connected');

    const v = bob.view();
    expect(v.phase === 'active' && v.local).toMatchObject({ cameraOn: false, muted: false });
    expect(v.phase === 'active' && v.local.error).toBe('No camera was found — connect one and try again. The call continues audio-only.');
    expect(bob.senders().map((s) => s.track?.kind ?? null)).toEqual(['audio', null]);
    expect(bob.signaling.sent('call:accept')).toEqual([{ callId: expect.any(String), audio: true, video: false }]);
    await waitFor(() => participants(alice)[0]?.video === false && participants(alice)[0]?.audio === true, 'Alice sees Bob audio-only');
  });

  it('a microphone that fails on accept still connects, receive-only, and says so', async () => {
    const server = new FakeCallServer();
    const alice = person(server, ALICE, 'device-alice-1');
    const bob = person(server, BOB, 'device-bob-01');
    bob.devices.microphone = 'NotReadableError';
    await alice.engine.call(BOB, 'audio');
    await waitFor(() => phase(bob) === 'incoming' && bob.devices.requests.length > 0, 'Bob rings');
    await waitFor(() => bob.view().phase === 'incoming' && !!(bob.view() as { local?: { error: string | null } }).local?.error, 'the problem shows');

    await bob.engine.accept({ video: false });
    await waitFor(() => participants(bob)[0]?.connection === 'connected', 'Bob is connected to Alice');
    await waitFor(() => participants(alice)[0]?.audio === false, 'Alice sees Bob without microphone');

    const v = bob.view();
    expect(v.phase === 'active' && v.local.error).toContain('Microphone is in use by another app');
    expect(v.phase === 'active' && v.local.error).toContain('you can hear the others, they cannot hear you');
    expect(bob.senders().map((s) => s.track)).toEqual([null]);
    expect(alice.senders().map((s) => s.track)).toEqual(alice.devices.live('audio'));
  });

  it('glare: both call each other at once and end up in one call, sending', async () => {
    const server = new FakeCallServer();
    const alice = person(server, ALICE, 'device-alice-1');
    const bob = person(server, BOB, 'device-bob-01');

    await Promise.all([alice.engine.call(BOB, 'audio'), bob.engine.call(ALICE, 'audio')]);
    await waitFor(() => phase(alice) === 'active' && phase(bob) === 'active', 'both active');
    await waitFor(() => alice.connected() && bob.connected(), 'connected');
    await waitFor(() => [...alice.senders(), ...bob.senders()].every((s) => s.track !== null), 'both send');

    expect(server.activeCalls).toBe(1);
    const callId = (alice.view() as { callId: string }).callId;
    expect(bob.view()).toMatchObject({ phase: 'active', callId });
    expect(alice.live()).toHaveLength(1);
    expect(bob.live()).toHaveLength(1);
  });

  it('sessions to devices that stop ringing are closed when another device answers', async () => {
    const server = new FakeCallServer();
    const alice = person(server, ALICE, 'device-alice-1');
    const bobDesk = person(server, BOB, 'device-bob-desk');
    const bobLaptop = person(server, BOB, 'device-bob-laptop');
    await alice.engine.call(BOB, 'audio');
    await waitFor(() => alice.live().length === 2 && alice.connected() && bobDesk.connected() && bobLaptop.connected(), 'both Bob devices pre-connected');
    const [toDesk, toLaptop] = alice.live();

    await bobLaptop.engine.accept({ video: false });
    await waitFor(() => phase(bobDesk) === 'ended' && phase(alice) === 'active', 'the desk stops ringing');

    expect(bobDesk.view()).toMatchObject({ reason: 'answered_elsewhere' });
    expect(bobDesk.live()).toEqual([]);
    expect(bobDesk.devices.live()).toEqual([]);
    expect(alice.live()).toHaveLength(1);
    expect((toDesk?.label === alice.live()[0]?.label ? toLaptop : toDesk)?.closed).toBe(true);
    expect(participants(alice).map((p) => p.deviceId)).toEqual([bobLaptop.self.deviceId]);
  });

  it('a group call grows as a full mesh: the invitee pre-connects to every member and sends to all on accept', async () => {
    const server = new FakeCallServer();
    const alice = person(server, ALICE, 'device-alice-1');
    const bob = person(server, BOB, 'device-bob-01');
    const carol = person(server, CAROL, 'device-carol-1');
    await alice.engine.call(BOB, 'audio');
    await waitFor(() => phase(bob) === 'incoming', 'Bob rings');
    await bob.engine.accept({ video: false });
    await waitFor(() => phase(alice) === 'active', 'Alice and Bob talk');

    await alice.engine.invite(CAROL);
    await waitFor(() => phase(carol) === 'incoming', 'Carol rings');
    expect(carol.view()).toMatchObject({ from: ALICE, others: [BOB] });
    await waitFor(() => carol.live().length === 2 && carol.connected() && alice.connected() && bob.connected(), 'everyone pre-connected to Carol');
    expect(carol.senders().every((s) => s.track === null)).toBe(true);
    const v = alice.view();
    expect(v.phase === 'active' && v.invitees).toEqual([CAROL]);

    await carol.engine.accept({ video: false });
    await waitFor(
      () =>
        [alice, bob, carol].every(
          (p) => participants(p).length === 2 && p.connected() && p.senders().length === 2 && p.senders().every((s) => s.track !== null),
        ),
      'everyone sends to everyone',
    );
    // The sessions prepared while Carol rang are the ones that carry the call.
    for (const p of [alice, bob, carol]) expect(p.pcs.created).toHaveLength(2);
    for (const p of [alice, bob, carol]) expect(participants(p).every((x) => x.connection === 'connected')).toBe(true);
  });

  it('mute disables the microphone track and shows on the other side', async () => {
    const { alice, bob } = await ringing('audio');
    await bob.engine.accept({ video: false });
    await waitFor(() => phase(alice) === 'active', 'active');

    alice.engine.setMuted(true);
    await waitFor(() => participants(bob)[0]?.audio === false, 'Bob sees Alice muted');

    expect(alice.devices.live('audio')[0]?.enabled).toBe(false);
    expect(alice.view()).toMatchObject({ local: { muted: true } });
    expect(alice.senders()[0]?.track).toBe(alice.devices.live('audio')[0]);

    alice.engine.setMuted(false);
    await waitFor(() => participants(bob)[0]?.audio === true, 'Bob sees Alice unmuted');
  });

  it('camera off stops the camera and sends nothing; camera on sends a new camera track', async () => {
    const { alice, bob } = await ringing('video');
    await bob.engine.accept({ video: true });
    await waitFor(() => phase(alice) === 'active' && alice.senders()[1]?.track !== null, 'Alice sends video');
    const first = alice.devices.live('video')[0];

    await alice.engine.setCameraOn(false);
    await waitFor(() => alice.senders()[1]?.track === null, 'the video sender is empty');
    expect(first?.readyState).toBe('ended');
    await waitFor(() => participants(bob)[0]?.video === false, 'Bob sees the camera off');

    await alice.engine.setCameraOn(true);
    const second = alice.devices.live('video')[0];
    await waitFor(() => alice.senders()[1]?.track === second, 'the new camera track is sent');
    expect(second).not.toBe(first);
    await waitFor(() => participants(bob)[0]?.video === true, 'Bob sees the camera on');
  });

  it('turning the camera on in an audio call adds video by renegotiating, and the other side receives it', async () => {
    const { alice, bob } = await ringing('audio');
    await bob.engine.accept({ video: false });
    await waitFor(() => phase(alice) === 'active' && alice.connected() && bob.connected(), 'active');

    await alice.engine.setCameraOn(true);
    const [cam] = alice.devices.live('video');
    await waitFor(() => alice.senders().some((s) => s.track === cam) && alice.connected() && bob.connected(), 'the camera is sent');
    await waitFor(() => participants(bob)[0]?.video === true, 'Bob sees the camera on');
    await waitFor(() => participants(bob)[0]?.stream?.getVideoTracks().length === 1, 'Bob receives a video track');

    expect(bob.live()[0]?.getTransceivers().map((t) => [t.kind, t.direction])).toEqual([
      ['audio', 'sendrecv'],
      ['video', 'sendrecv'],
    ]);
  });

  it('marks the active speaker from the inbound audio level, with hysteresis', async () => {
    const { alice, bob } = await ringing('audio');
    await bob.engine.accept({ video: false });
    await waitFor(() => phase(alice) === 'active', 'active');
    const [pc] = alice.live();
    if (!pc) throw new Error('no peer connection');

    pc.inboundAudioLevel = 0.3;
    await waitFor(() => (alice.view() as { activeSpeaker?: string | null }).activeSpeaker === bob.self.deviceId, 'Bob is the speaker');
    expect(participants(alice)[0]?.speaking).toBe(true);

    pc.inboundAudioLevel = 0;
    await waitFor(() => participants(alice)[0]?.speaking === false, 'Bob went quiet');
    expect(alice.view()).toMatchObject({ activeSpeaker: null });
  });

  it('an incoming call while the ended view shows replaces it', async () => {
    const { alice, bob } = await ringing('audio');
    await bob.engine.decline();
    await waitFor(() => phase(alice) === 'ended', 'Alice sees declined');

    await bob.engine.call(ALICE, 'audio');
    await waitFor(() => phase(alice) === 'incoming', 'Alice rings');
    expect(alice.view()).toMatchObject({ from: BOB });
  });

  it('dispose removes every socket listener, closes every session and stops every track', async () => {
    const { alice, bob } = await ringing('video');
    expect(bob.signaling.listenerCount()).toBeGreaterThan(0);
    const pcs = bob.live();

    bob.engine.dispose();

    expect(bob.signaling.listenerCount()).toBe(0);
    expect(pcs.every((pc) => pc.closed && pc.listenerCount() === 0)).toBe(true);
    expect(bob.devices.live()).toEqual([]);
    expect(bob.view()).toEqual({ phase: 'idle' });
    await waitFor(() => phase(alice) === 'ended', 'Alice learns Bob declined');
  });

  it('an unanswered call ends as "no answer" for the caller and stops ringing for the callee when the server’s ring timeout passes', async () => {
    const timers = new ManualTimers();
    const server = new FakeCallServer({ ringTimeoutMs: 30_000 }, manualClock(timers));
    const alice = person(server, ALICE, 'device-alice-1');
    const bob = person(server, BOB, 'device-bob-01');
    await alice.engine.call(BOB, 'audio');
    await waitFor(() => phase(bob) === 'incoming', 'Bob rings');

    timers.advance(29_999);
    await waitFor(() => server.activeCalls === 1, 'the server still rings Bob');
    expect(phase(alice)).toBe('outgoing');

    timers.advance(1);
    await waitFor(() => phase(alice) === 'ended' && phase(bob) !== 'incoming', 'the ring timed out on both sides');
    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'no_answer' });
    expect(server.activeCalls).toBe(0);
    server.dispose();
  });
});

