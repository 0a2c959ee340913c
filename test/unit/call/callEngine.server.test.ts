/**
 * The call engine against the REAL signaling server (127.0.0.1, port 0) over real
 * socket.io, through the renderer's own SignalingClient. Only media and peer
 * connections are fakes here; the end-to-end tests in Chromium replace those too.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyEntrySchema } from '../../../preload/contract';
import { SignalingClient } from '../../../renderer/signaling/client';
import { createSignalingServer, type SignalingServer } from '../../../signaling-server/index';
import { waitFor } from '../fakes/waitFor';
import { enginePerson, identityOf, newDevice, newPerson, type EnginePerson } from './enginePerson';

let server: SignalingServer;
const cleanups: (() => void)[] = [];

beforeEach(async () => {
  server = await createSignalingServer({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server.close();
});

/** The people of these tests, each a contact of the others (presence and pre-connect flow between contacts only). */
const PEOPLE = { Alice: await newPerson('Alice'), Bob: await newPerson('Bob'), Carol: await newPerson('Carol') };
const everyone = (): string[] => Object.values(PEOPLE).map((p) => p.userId);

/** A new device of `displayName`, online. */
async function online(displayName: keyof typeof PEOPLE) {
  const self = await newDevice(PEOPLE[displayName]);
  const { userId } = self;
  const client = new SignalingClient({ urls: [server.url], identity: identityOf(self), displayName, password: '', contacts: everyone });
  const person = enginePerson(client, self);
  cleanups.push(() => {
    person.engine.dispose();
    client.close();
  });
  client.start();
  await waitFor(() => client.getState().phase === 'online', `${displayName} is online`);
  return { ...person, ref: { userId, displayName } };
}

async function talking(media: 'audio' | 'video'): Promise<{ alice: EnginePerson; bob: EnginePerson }> {
  const alice = await online('Alice');
  const bob = await online('Bob');
  await alice.engine.call({ userId: bob.self.userId, displayName: 'Bob' }, media);
  await waitFor(() => bob.phase() === 'incoming', 'Bob rings');
  await waitFor(() => alice.connected() && bob.connected(), 'pre-connected while ringing');
  await bob.engine.accept({ video: media === 'video' });
  await waitFor(() => alice.phase() === 'active' && bob.phase() === 'active', 'both active');
  return { alice, bob };
}

describe('call engine with the real signaling server', () => {
  it('a ringing device pre-connects with the ICE servers its ring brought, without asking for them', async () => {
    await server.close();
    server = await createSignalingServer({
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      turn: { urls: ['turn:127.0.0.1:3478'], secret: 'ring-brings-ice-secret', ttlSeconds: 600 },
    });
    const alice = await online('Alice');
    const bob = await online('Bob');
    const asked: string[] = [];
    const request = bob.signaling.request.bind(bob.signaling);
    bob.signaling.request = ((event, ...rest) => {
      asked.push(event);
      return request(event, ...rest);
    }) as typeof bob.signaling.request;

    await alice.engine.call({ userId: bob.self.userId, displayName: 'Bob' }, 'audio');
    await waitFor(() => alice.connected() && bob.connected(), 'pre-connected while ringing');
    expect(asked).not.toContain('ice:servers');
    const relay = bob.live()[0]?.configuration.iceServers?.find((s) => String(s.urls).startsWith('turn:'));
    expect(relay?.username?.split(':')[1]).toBe(bob.self.userId);
  });

  it('pre-connects while it rings, sends nothing, and answering only attaches the tracks', async () => {
    const alice = await online('Alice');
    const bob = await online('Bob');

    await alice.engine.call({ userId: bob.self.userId, displayName: 'Bob' }, 'video');
    await waitFor(() => bob.phase() === 'incoming', 'Bob rings');
    await waitFor(() => alice.connected() && bob.connected(), 'pre-connected while ringing');
    await waitFor(() => bob.devices.live().length === 2, 'Bob’s media is ready');
    expect([...alice.senders(), ...bob.senders()].every((s) => s.track === null)).toBe(true);
    const offers = alice.offers() + bob.offers();

    await bob.engine.accept({ video: true });
    await waitFor(() => alice.phase() === 'active', 'Alice sees the answer');
    await waitFor(() => [...alice.senders(), ...bob.senders()].every((s) => s.track !== null), 'both send');

    expect(alice.offers() + bob.offers()).toBe(offers);
    expect(bob.senders().map((s) => s.track)).toEqual([bob.devices.live('audio')[0], bob.devices.live('video')[0]]);
    expect(alice.participants()[0]).toMatchObject({ userId: bob.self.userId, connection: 'connected', audio: true, video: true });
  });

  it('hang-up ends the call for both and each records an answered call', async () => {
    const { alice, bob } = await talking('audio');

    await bob.engine.hangUp();
    await waitFor(() => alice.phase() === 'ended', 'Alice learns the call ended');

    expect(bob.view()).toMatchObject({ phase: 'ended', reason: 'local_hangup' });
    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'hangup' });
    expect(alice.live()).toEqual([]);
    expect(alice.devices.live()).toEqual([]);
    for (const p of [alice, bob]) {
      expect(p.history).toHaveLength(1);
      expect(p.history[0]?.outcome).toBe('answered');
      expect(historyEntrySchema.safeParse(p.history[0]).success).toBe(true);
    }
  });

  it('glare: calling each other at once ends in one call with media both ways', async () => {
    const alice = await online('Alice');
    const bob = await online('Bob');

    await Promise.all([
      alice.engine.call({ userId: bob.self.userId, displayName: 'Bob' }, 'audio'),
      bob.engine.call({ userId: alice.self.userId, displayName: 'Alice' }, 'audio'),
    ]);
    await waitFor(() => alice.phase() === 'active' && bob.phase() === 'active', 'both active');
    await waitFor(() => [...alice.senders(), ...bob.senders()].every((s) => s.track !== null) && alice.connected() && bob.connected(), 'media both ways');

    expect((alice.view() as { callId: string }).callId).toBe((bob.view() as { callId: string }).callId);
  });

  it('decline, and a callee in Do not disturb, end the call with the right reason', async () => {
    const alice = await online('Alice');
    const bob = await online('Bob');
    await alice.engine.call({ userId: bob.self.userId, displayName: 'Bob' }, 'audio');
    await waitFor(() => bob.phase() === 'incoming', 'Bob rings');
    await bob.engine.decline();
    await waitFor(() => alice.phase() === 'ended', 'Alice learns Bob declined');
    expect(alice.view()).toMatchObject({ reason: 'declined' });

    await bob.signaling.request('presence:status', { status: 'dnd' });
    alice.engine.dismiss();
    await alice.engine.call({ userId: bob.self.userId, displayName: 'Bob' }, 'audio');
    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'do_not_disturb', callId: null });
    expect(alice.history.map((h) => h.outcome)).toEqual(['declined', 'busy']);
  });

  it('a third person joins the mesh: pre-connected while ringing, sending to everyone on accept', async () => {
    const { alice, bob } = await talking('audio');
    const carol = await online('Carol');

    await alice.engine.invite(carol.ref);
    await waitFor(() => carol.phase() === 'incoming', 'Carol rings');
    await waitFor(() => carol.live().length === 2 && carol.connected(), 'Carol pre-connected to both');
    expect(carol.senders().every((s) => s.track === null)).toBe(true);

    await carol.engine.accept({ video: false });
    await waitFor(
      () =>
        [alice, bob, carol].every(
          (p) => p.participants().length === 2 && p.connected() && p.senders().length === 2 && p.senders().every((s) => s.track !== null),
        ),
      'a full mesh with media everywhere',
    );
    // Nobody rebuilt a session: the ones prepared while Carol rang carry the call.
    for (const p of [alice, bob, carol]) expect(p.pcs.created).toHaveLength(2);
  });
});
