/**
 * Media the server cannot intercept (issue 12 item 5), seen from the call engine:
 * every SDP carries its sender's signature over its DTLS fingerprints, checked
 * against the userId the call gives that device before it is applied. Here the
 * test server (the real Switchboard over in-memory sockets) plays a server that
 * misbehaves: it rewrites fingerprints, strips proofs, or re-signs with keys of its
 * own. Real engines, real keys, fake media and peer connections.
 */
import { describe, expect, it } from 'vitest';
import type { SignalData } from '../../../signaling-server/protocol';
import type { CallView } from '../../../renderer/call/types';
import { describeEnded, reconnectionNotice } from '../../../renderer/state/callText';
import { FakeCallServer } from '../fakes/fakeCallServer';
import { waitFor } from '../fakes/waitFor';
import { ALICE, BOB, CAROL, personOn, type EnginePerson } from './enginePerson';

interface Relayed {
  callId: string;
  from: string;
  fromUserId: string;
  data: SignalData;
}

function isRelayedSignal(packet: unknown): packet is Relayed {
  if (packet === null || typeof packet !== 'object') return false;
  const p = packet as Partial<Relayed>;
  return typeof p.callId === 'string' && typeof p.from === 'string' && typeof p.data === 'object' && p.data !== null && 'kind' in p.data;
}

/** Every `a=fingerprint:` value replaced by the server's own certificate's. */
const SERVER_FINGERPRINT = `sha-256 ${Array(32).fill('5E').join(':')}`;
const rewriteFingerprints = (sdp: string): string => sdp.replace(/^a=fingerprint:.*$/gm, `a=fingerprint:${SERVER_FINGERPRINT}`);

/**
 * The server rewrites each description it relays with `change` (only those from
 * the device `from`, when given) while `active.on`. Returns what it relayed.
 */
function misbehave(
  server: FakeCallServer,
  change: (signal: Relayed & { data: Extract<SignalData, { kind: 'description' }> }) => SignalData | undefined,
  only: { from?: () => string } = {},
): { seen: Relayed[]; active: { on: boolean } } {
  const honest = server.rewrite.bind(server);
  const seen: Relayed[] = [];
  const active = { on: true };
  server.rewrite = (packet: unknown): unknown => {
    const copy = honest(packet);
    if (!isRelayedSignal(copy) || copy.data.kind !== 'description') return copy;
    seen.push(copy);
    if (!active.on) return copy;
    const from = only.from?.() ?? null;
    if (from !== null && copy.from !== from) return copy;
    const changed = change(copy as Relayed & { data: Extract<SignalData, { kind: 'description' }> });
    return changed ? { ...copy, data: changed } : copy;
  };
  return { seen, active };
}

async function dialled(server: FakeCallServer, options: { contacts?: boolean } = {}) {
  const isContact = options.contacts === false ? { isContact: () => false } : {};
  const alice = personOn(server, ALICE, 'device-alice-1', isContact);
  const bob = personOn(server, BOB, 'device-bob-01', isContact);
  await alice.engine.call(BOB, 'audio');
  return { alice, bob };
}

const endedView = (p: EnginePerson) => p.view() as Extract<CallView, { phase: 'ended' }>;

/** Nothing of the call reached the other side: no connection came up, no track was ever put on a sender. */
function nothingFlowed(...people: EnginePerson[]): void {
  for (const p of people) {
    expect(p.pcs.created.every((pc) => pc.connectionState !== 'connected')).toBe(true);
    expect(p.pcs.created.flatMap((pc) => pc.getTransceivers().flatMap((t) => t.sender.replaced)).filter((t) => t !== null)).toEqual([]);
    expect(p.live()).toEqual([]);
  }
}

describe('media the server cannot intercept', () => {
  it('a server that rewrites the fingerprints both ways: both sides end the call as unverified, and nothing flows', async () => {
    const server = new FakeCallServer();
    const { seen } = misbehave(server, (s) => ({ ...s.data, description: { ...s.data.description, sdp: rewriteFingerprints(s.data.description.sdp) } }));
    const { alice, bob } = await dialled(server);

    await waitFor(() => alice.phase() === 'ended' && bob.phase() === 'ended', 'both calls end');

    for (const p of [alice, bob]) {
      expect(p.view()).toMatchObject({ phase: 'ended', reason: 'unverified' });
      expect(describeEnded(endedView(p))).toEqual({
        headline: 'This call could not be verified',
        detail: 'Someone may be intercepting it. It was ended to protect you.',
        offerRetry: false,
      });
      expect(p.history).toEqual([expect.objectContaining({ outcome: 'failed' })]);
      expect(p.devices.live()).toEqual([]);
    }
    nothingFlowed(alice, bob);
    // Every description the server was handed carried a proof; the first one it rewrote was the end of it.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.data.kind === 'description' && s.data.proof !== undefined)).toBe(true);
    await waitFor(() => server.activeCalls === 0, 'the caller withdrew the call');
  });

  it('a server that strips the proofs: the call ends as unverified', async () => {
    const server = new FakeCallServer();
    misbehave(server, (s) => ({ kind: 'description', description: s.data.description }));
    const { alice, bob } = await dialled(server);

    await waitFor(() => alice.phase() === 'ended' && bob.phase() === 'ended', 'both calls end');

    expect([alice.view(), bob.view()]).toEqual([
      expect.objectContaining({ reason: 'unverified' }),
      expect.objectContaining({ reason: 'unverified' }),
    ]);
    nothingFlowed(alice, bob);
  });

  it('in a group call, only the member whose description fails is dropped, and the others are told who', async () => {
    const server = new FakeCallServer();
    const alice = personOn(server, ALICE, 'device-alice-1');
    const bob = personOn(server, BOB, 'device-bob-01');
    const carol = personOn(server, CAROL, 'device-carol-1');
    // Honest while the call is set up; then it rewrites what Carol's device sends.
    const { active } = misbehave(
      server,
      (s) => ({ ...s.data, description: { ...s.data.description, sdp: rewriteFingerprints(s.data.description.sdp) } }),
      { from: () => carol.self.deviceId },
    );
    active.on = false;
    await alice.engine.call(BOB, 'audio');
    await waitFor(() => bob.phase() === 'incoming', 'Bob rings');
    await bob.engine.accept({ video: false });
    await waitFor(() => alice.phase() === 'active' && alice.connected() && bob.connected(), 'Alice and Bob talk');
    await alice.engine.invite(CAROL);
    await waitFor(() => carol.phase() === 'incoming', 'Carol rings');
    await carol.engine.accept({ video: false });
    await waitFor(() => [alice, bob, carol].every((p) => p.participants().length === 2 && p.connected()), 'a full mesh of three');

    active.on = true;
    // Carol turns her camera on: a new m-line, so her device offers again to both.
    await carol.engine.setCameraOn(true);

    for (const p of [alice, bob]) {
      await waitFor(() => p.participants().find((m) => m.userId === CAROL.userId)?.unverified === true, `${p.self.displayName} refuses Carol`);
      const view = p.view() as Extract<CallView, { phase: 'active' }>;
      expect(view.phase).toBe('active');
      expect(view.participants.find((m) => m.userId === CAROL.userId)).toMatchObject({ connection: 'failed', stream: null, unverified: true });
      expect(reconnectionNotice(view)).toBe(
        'The call with Carol could not be verified: someone may be intercepting it. That connection was ended to protect you; the call goes on with the others.',
      );
      // The path between Alice and Bob is untouched.
      expect(p.live()).toHaveLength(1);
      expect(p.connected()).toBe(true);
    }
    expect(alice.participants().find((m) => m.userId === BOB.userId)).toMatchObject({ connection: 'connected' });
    expect(alice.pcs.created.filter((pc) => pc.closed)).toHaveLength(1);
  });

  it('without contacts nothing connects while it rings: the sessions start once the call is answered', async () => {
    const server = new FakeCallServer();
    const { alice, bob } = await dialled(server, { contacts: false });
    await waitFor(() => bob.phase() === 'incoming', 'Bob rings');
    await waitFor(() => bob.devices.live('audio').length === 1, 'Bob’s microphone is ready');

    expect(alice.pcs.created).toEqual([]);
    expect(bob.pcs.created).toEqual([]);

    await bob.engine.accept({ video: false });
    await waitFor(() => alice.phase() === 'active' && alice.connected() && bob.connected(), 'connected after the answer');
    expect(alice.participants()[0]).toMatchObject({ userId: BOB.userId, connection: 'connected' });
  });
});
