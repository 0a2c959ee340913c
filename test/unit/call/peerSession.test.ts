import { describe, expect, it } from 'vitest';
import { PeerSession, type NegotiationStep } from '../../../renderer/call/peerSession';
import { FakeMediaStreamTrack } from '../fakes/fakeMedia';
import { FakePeerConnection } from '../fakes/fakePeerConnection';
import { FakeRelay } from '../fakes/fakeRelay';
import { waitFor } from '../fakes/waitFor';

/** Two sessions, "A" and "B", wired through a relay; `politeSide` yields on glare. */
function pair(politeSide: 'A' | 'B', options: { autoIce?: boolean } = {}) {
  const relay = new FakeRelay();
  const errors: unknown[] = [];
  const make = (name: 'A' | 'B') => {
    const pc = new FakePeerConnection({}, { label: name, ...options });
    const other = name === 'A' ? 'B' : 'A';
    const session = new PeerSession({
      pc,
      polite: name === politeSide,
      send: relay.sender(name, other),
      onError: (error) => errors.push(error),
    });
    relay.attach(name, (data) => void session.handleSignal(data));
    return { pc, session };
  };
  const a = make('A');
  const b = make('B');
  const polite = politeSide === 'A' ? a : b;
  const impolite = politeSide === 'A' ? b : a;
  /** Both stable, nothing left to negotiate, and connected. */
  const settled = () =>
    [a.pc, b.pc].every((pc) => pc.signalingState === 'stable' && !pc.needsNegotiation() && pc.connectionState === 'connected');
  return { relay, errors, a, b, polite, impolite, settled };
}

const mids = (pc: FakePeerConnection) => pc.getTransceivers().map((t) => `${t.kind}:${t.mid}`).sort();

describe('peer session (perfect negotiation)', () => {
  describe.each(['A', 'B'] as const)('when %s is polite', (politeSide) => {
    it('setup connects: the offerer’s transceivers appear on the other side, sendrecv, without tracks', async () => {
      const { a, b, errors, settled } = pair(politeSide);
      a.session.ensureTransceivers(['audio', 'video']);
      await waitFor(settled, 'both sides are stable and connected');

      expect(a.pc.log).toEqual(['local offer', 'remote answer']);
      expect(b.pc.log).toEqual(['remote offer', 'local answer']);
      expect(mids(b.pc)).toEqual(mids(a.pc));
      expect(mids(b.pc)).toEqual(['audio:0', 'video:1']);
      for (const t of [...a.pc.getTransceivers(), ...b.pc.getTransceivers()]) {
        expect(t.direction).toBe('sendrecv');
        expect(t.currentDirection).toBe('sendrecv');
        expect(t.sender.track).toBeNull();
      }
      expect(errors).toEqual([]);
    });

    it('glare: both offer at once, the polite side rolls back and answers, both end stable', async () => {
      const { relay, polite, impolite, a, b, errors, settled } = pair(politeSide);
      relay.hold();
      a.session.ensureTransceivers(['audio']);
      b.session.ensureTransceivers(['audio']);
      await waitFor(() => relay.descriptions().length === 2, 'both sides have sent an offer');
      expect(relay.descriptions().map((d) => d.type)).toEqual(['offer', 'offer']);
      relay.release();
      await waitFor(settled, 'both sides are stable and connected');

      // The impolite offer won: it was answered; the polite one was rolled back.
      expect(impolite.pc.log.slice(0, 2)).toEqual(['local offer', 'remote answer']);
      expect(polite.pc.log.slice(0, 4)).toEqual(['local offer', 'rollback', 'remote offer', 'local answer']);
      expect(impolite.pc.log).not.toContain('rollback');
      // The polite side's own transceiver was negotiated afterwards, by its own offer.
      expect(polite.pc.log.slice(4)).toEqual(['local offer', 'remote answer']);
      expect(mids(a.pc)).toEqual(mids(b.pc));
      expect(errors).toEqual([]);
    });

    it('late candidates of an ignored offer are dropped without an error', async () => {
      const { relay, polite, impolite, a, b, errors, settled } = pair(politeSide);
      relay.hold();
      a.session.ensureTransceivers(['audio']);
      b.session.ensureTransceivers(['audio']);
      await waitFor(
        () => relay.sent.some((m) => m.from === (politeSide) && m.data.kind === 'candidate' && m.data.candidate !== null),
        'the polite side has sent a candidate for its offer',
      );
      relay.release();
      await waitFor(settled, 'both sides are stable and connected');

      expect(impolite.pc.rejectedCandidates).toBeGreaterThan(0);
      expect(polite.pc.rejectedCandidates).toBe(0);
      expect(errors).toEqual([]);
    });
  });

  it('a candidate that arrives after the connection is up is still applied', async () => {
    const { a, b, errors, settled } = pair('B');
    a.session.ensureTransceivers(['audio']);
    await waitFor(settled, 'connected');
    const before = b.pc.remoteCandidates.length;

    await b.session.handleSignal({
      kind: 'candidate',
      candidate: { candidate: 'candidate:2 1 udp 1 198.51.100.7 9 typ srflx', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: a.pc.ufrag },
    });

    expect(b.pc.remoteCandidates).toHaveLength(before + 1);
    expect(errors).toEqual([]);
  });

  it('a bad candidate outside an ignored offer is reported, not swallowed', async () => {
    const { a, b, errors, settled } = pair('B');
    a.session.ensureTransceivers(['audio']);
    await waitFor(settled, 'connected');

    await b.session.handleSignal({
      kind: 'candidate',
      candidate: { candidate: 'candidate:3 1 udp 1 198.51.100.8 9 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'someone-else' },
    });

    expect(errors).toHaveLength(1);
  });

  it('relays end-of-candidates as null and does not apply it', async () => {
    const { relay, a, errors, settled } = pair('A');
    a.session.ensureTransceivers(['audio']);
    await waitFor(settled, 'connected');

    const ends = relay.sent.filter((m) => m.data.kind === 'candidate' && m.data.candidate === null);
    expect(ends.map((m) => m.from).sort()).toEqual(['A', 'B']);
    expect(errors).toEqual([]);
  });

  it('a track put on a connected session is sent with replaceTrack, with no new offer', async () => {
    const { a, b, settled } = pair('B');
    a.session.ensureTransceivers(['audio', 'video']);
    await waitFor(settled, 'connected');
    const mic = new FakeMediaStreamTrack('audio');
    const cam = new FakeMediaStreamTrack('video');

    await a.session.setTrack('audio', mic);
    await b.session.setTrack('video', cam);

    expect(a.session.sendingTracks()).toEqual([mic]);
    expect(b.session.sendingTracks()).toEqual([cam]);
    expect(a.pc.needsNegotiation()).toBe(false);
    expect(b.pc.needsNegotiation()).toBe(false);
    expect([...a.pc.log, ...b.pc.log].filter((l) => l.endsWith('offer'))).toHaveLength(2); // the one offer, seen twice
  });

  it('a track wanted before the offer arrives goes on the transceiver the offer creates', async () => {
    const { a, b, settled } = pair('B');
    const mic = new FakeMediaStreamTrack('audio');
    await b.session.setTrack('audio', mic);
    expect(b.pc.getTransceivers()).toEqual([]);

    a.session.ensureTransceivers(['audio']);
    await waitFor(settled, 'connected');
    await waitFor(() => b.session.sendingTracks().length === 1, 'the answering side sends its track');

    expect(b.session.sendingTracks()).toEqual([mic]);
    expect(b.pc.getTransceivers()).toHaveLength(1);
  });

  it('turning a camera on in an audio-only session adds a video m-line by renegotiating', async () => {
    const { a, b, settled } = pair('A');
    a.session.ensureTransceivers(['audio']);
    await waitFor(settled, 'connected');
    const cam = new FakeMediaStreamTrack('video');

    await b.session.setTrack('video', cam);
    await waitFor(
      () => settled() && a.pc.getTransceivers().some((t) => t.kind === 'video' && t.receiving),
      'the video m-line is negotiated',
    );

    expect(b.session.sendingTracks()).toEqual([cam]);
    expect(mids(a.pc)).toEqual(['audio:0', 'video:1']);
  });

  it('closing removes every listener, closes the connection and sends nothing more', async () => {
    const { relay, a, b, settled } = pair('B');
    a.session.ensureTransceivers(['audio']);
    await waitFor(settled, 'connected');
    expect(a.pc.listenerCount()).toBe(3);
    const sentBefore = relay.sent.length;

    a.session.close();
    await a.session.handleSignal({ kind: 'description', description: { type: 'offer', sdp: b.pc.localDescription?.sdp ?? '' } });

    expect(a.pc.listenerCount()).toBe(0);
    expect(a.pc.closed).toBe(true);
    expect(a.session.isClosed).toBe(true);
    expect(relay.sent.length).toBe(sentBefore);
  });

  it('reports a description it cannot apply, with the step that failed, and stays usable', async () => {
    const pc = new FakePeerConnection({}, { autoIce: false });
    const errors: { error: unknown; during: NegotiationStep }[] = [];
    const session = new PeerSession({ pc, polite: true, send: () => {}, onError: (error, during) => errors.push({ error, during }) });

    // An answer while stable: setRemoteDescription rejects (InvalidStateError).
    await session.handleSignal({ kind: 'description', description: { type: 'answer', sdp: 'v=0' } });

    expect(errors).toHaveLength(1);
    expect(errors[0]?.during).toBe('remote description');
    expect(errors[0]?.error).toMatchObject({ name: 'InvalidStateError' });
    expect(pc.signalingState).toBe('stable');
    session.close();
  });
});
