/**
 * engine.handle: what the tray, a notification's buttons, a global shortcut or a
 * confirmed parley:// link ask of the call, judged by the engine against the call
 * as it is now (no React in between). Real engines against each other over the
 * test server (the real Switchboard), fake media and peer connections.
 */
import { describe, expect, it } from 'vitest';
import { createCallEngine, type ContactLookup } from '../../../renderer/call/callEngine';
import type { SelfRef } from '../../../renderer/call/callState';
import type { CallView } from '../../../renderer/call/types';
import { FakeCallServer } from '../fakes/fakeCallServer';
import { createFakeStream, FakeMediaDevices } from '../fakes/fakeMedia';
import { fakePeerConnections } from '../fakes/fakePeerConnection';
import { waitFor } from '../fakes/waitFor';
import { ALICE, BOB, CAROL, deviceOf, identityOf } from './enginePerson';

/** The contact list a tray call looks people up in: Bob and Carol online, Dave a favourite who is offline. */
const CONTACTS: ContactLookup = (userId) =>
  ({
    [BOB.userId]: { displayName: 'Bob', online: true },
    [CAROL.userId]: { displayName: 'Carol', online: true },
    [ALICE.userId]: { displayName: 'Alice', online: true },
    'user-dave-001': { displayName: 'Dave', online: false },
  })[userId] ?? null;

function device(
  server: FakeCallServer,
  who: { userId: string; displayName: string },
  label: string,
  callRefusal?: (peer: { userId: string; displayName: string }) => string | null,
) {
  const self: SelfRef = deviceOf(who, label);
  const signaling = server.connect(self);
  const devices = new FakeMediaDevices();
  const engine = createCallEngine({
    signaling,
    self,
    identity: identityOf(self),
    media: devices,
    createPeerConnection: fakePeerConnections().create,
    createMediaStream: createFakeStream,
    // A host that can capture a screen; nothing here starts a capture.
    display: { getDisplayMedia: () => Promise.reject(new Error('no capture in unit tests')) },
    contactOf: CONTACTS,
    speakerPollMs: 20,
    ...(callRefusal ? { callRefusal } : {}),
  });
  const views: CallView[] = [];
  engine.subscribe((view) => views.push(view));
  return { engine, signaling, devices, views, view: () => engine.getView(), phase: () => engine.getView().phase };
}
type Device = ReturnType<typeof device>;

/** Alice calls Bob from the tray; Bob's device rings. */
async function ringing(media: 'audio' | 'video' = 'audio') {
  const server = new FakeCallServer();
  const alice = device(server, ALICE, 'device-alice-1');
  const bob = device(server, BOB, 'device-bob-01');
  expect(await alice.engine.handle({ type: 'call', userId: BOB.userId, media })).toEqual({ kind: 'done' });
  await waitFor(() => bob.phase() === 'incoming', 'Bob rings');
  return { server, alice, bob };
}

async function talking(media: 'audio' | 'video' = 'audio') {
  const { server, alice, bob } = await ringing(media);
  await bob.engine.handle({ type: 'accept', video: media === 'video' });
  await waitFor(() => alice.phase() === 'active' && bob.phase() === 'active', 'both in the call');
  return { server, alice, bob };
}

const local = (d: Device) => {
  const v = d.view();
  if (v.phase !== 'active') throw new Error(`not in a call: ${v.phase}`);
  return v.local;
};

describe('a call asked by the tray', () => {
  it('rings an online contact under their contact name', async () => {
    const { alice, bob } = await ringing('video');
    expect(alice.view()).toMatchObject({ phase: 'outgoing', peer: BOB, media: 'video' });
    expect(bob.view()).toMatchObject({ phase: 'incoming', from: ALICE, media: 'video' });
  });

  it('is refused, with who and why, for a contact who is offline or nobody known; nothing is sent', async () => {
    const server = new FakeCallServer();
    const alice = device(server, ALICE, 'device-alice-1');

    expect(await alice.engine.handle({ type: 'call', userId: 'user-dave-001', media: 'audio' })).toEqual({
      kind: 'refused',
      message: 'Dave is not online, so the call cannot ring.',
    });
    expect(await alice.engine.handle({ type: 'call', userId: 'user-nobody-01', media: 'audio' })).toEqual({
      kind: 'refused',
      message: 'Unknown person is not online, so the call cannot ring.',
    });
    expect(alice.signaling.sent('call:invite')).toEqual([]);
    expect(alice.phase()).toBe('idle');
  });

  it('is refused for a contact whose key changed, from the tray as from the window; nothing is sent', async () => {
    const server = new FakeCallServer();
    const changed = (peer: { userId: string; displayName: string }) =>
      peer.userId === BOB.userId ? `${peer.displayName}'s key changed: calls are blocked until you accept the new key (Contacts).` : null;
    const alice = device(server, ALICE, 'device-alice-1', changed);
    device(server, BOB, 'device-bob-01');
    const carol = device(server, CAROL, 'device-carol-1');

    await expect(alice.engine.handle({ type: 'call', userId: BOB.userId, media: 'audio' })).rejects.toThrow("Bob's key changed");
    await expect(alice.engine.call(BOB, 'video')).rejects.toThrow("Bob's key changed");
    expect(alice.signaling.sent('call:invite')).toEqual([]);
    expect(alice.phase()).toBe('idle');
    // Anyone else still rings.
    expect(await alice.engine.handle({ type: 'call', userId: CAROL.userId, media: 'audio' })).toEqual({ kind: 'done' });
    await waitFor(() => carol.phase() === 'incoming', 'Carol rings');
  });

  it('is refused during a call, even by the person ringing here (the tray does not answer)', async () => {
    const { alice, bob } = await ringing();
    const busy = { kind: 'refused', message: 'Finish the current call before starting another one.' };

    expect(await bob.engine.handle({ type: 'call', userId: ALICE.userId, media: 'audio' })).toEqual(busy);
    expect(await alice.engine.handle({ type: 'call', userId: CAROL.userId, media: 'audio' })).toEqual(busy);
    expect(bob.phase()).toBe('incoming');
    expect(bob.signaling.sent('call:accept')).toEqual([]);
    expect(alice.signaling.sent('call:invite')).toHaveLength(1);
  });

  it('after a call ended, leaves the ended view and dials: ended, idle, then ringing out', async () => {
    const { server, alice, bob } = await ringing();
    const carol = device(server, CAROL, 'device-carol-1');
    await bob.engine.handle({ type: 'decline' });
    await waitFor(() => alice.phase() === 'ended', 'Alice sees Bob decline');
    alice.views.length = 0;

    expect(await alice.engine.handle({ type: 'call', userId: CAROL.userId, media: 'audio' })).toEqual({ kind: 'done' });

    // The ended view went first, as the window's own guard made it go before.
    expect([...new Set(alice.views.map((v) => v.phase))]).toEqual(['idle', 'outgoing']);
    expect(alice.view()).toMatchObject({ phase: 'outgoing', peer: CAROL });
    await waitFor(() => carol.phase() === 'incoming', 'Carol rings');
  });
});

describe('a parley:// link the person confirmed', () => {
  it('dials the person the question named, with the media chosen', async () => {
    const server = new FakeCallServer();
    const alice = device(server, ALICE, 'device-alice-1');
    const bob = device(server, BOB, 'device-bob-01');

    expect(await alice.engine.handle({ type: 'dial', peer: { userId: BOB.userId, displayName: 'Bob' }, media: 'audio' })).toEqual({ kind: 'done' });

    await waitFor(() => bob.phase() === 'incoming', 'Bob rings');
    expect(bob.view()).toMatchObject({ from: ALICE, media: 'audio' });
    expect(alice.signaling.sent('call:invite')).toEqual([{ to: BOB.userId, media: 'audio' }]);
  });

  it('after an ended call dials at once; during a call is refused', async () => {
    const { server, alice, bob } = await talking();
    const carol = device(server, CAROL, 'device-carol-1');
    expect(await alice.engine.handle({ type: 'dial', peer: CAROL, media: 'audio' })).toEqual({
      kind: 'refused',
      message: 'Finish the current call before starting another one.',
    });
    await bob.engine.hangUp();
    await waitFor(() => alice.phase() === 'ended', 'the call ended');

    await alice.engine.handle({ type: 'dial', peer: CAROL, media: 'video' });
    expect(alice.view()).toMatchObject({ phase: 'outgoing', peer: CAROL, media: 'video' });
    await waitFor(() => carol.phase() === 'incoming', 'Carol rings');
  });
});

describe('a notification’s buttons', () => {
  it('accept answers the ringing call, with video only when the call is a video call', async () => {
    const { alice, bob } = await ringing('audio');

    await bob.engine.handle({ type: 'accept', video: true });

    await waitFor(() => alice.phase() === 'active', 'Alice sees Bob answer');
    expect(bob.signaling.sent('call:accept')).toEqual([{ callId: expect.any(String), audio: true, video: false }]);
  });

  it('decline ends the ringing call for both', async () => {
    const { alice, bob } = await ringing();

    await bob.engine.handle({ type: 'decline' });

    expect(bob.view()).toMatchObject({ phase: 'ended', reason: 'local_decline' });
    await waitFor(() => alice.phase() === 'ended', 'Alice learns Bob declined');
    expect(alice.view()).toMatchObject({ reason: 'declined' });
  });

  it('accept and decline of a call that stopped ringing do nothing', async () => {
    const { alice, bob } = await ringing();
    await alice.engine.handle({ type: 'hangup' });
    await waitFor(() => bob.phase() === 'ended', 'Bob stops ringing');

    expect(await bob.engine.handle({ type: 'accept', video: false })).toEqual({ kind: 'done' });
    expect(await bob.engine.handle({ type: 'decline' })).toEqual({ kind: 'done' });
    expect(bob.signaling.sent('call:accept')).toEqual([]);
    expect(bob.signaling.sent('call:decline')).toEqual([]);
    expect(bob.view()).toMatchObject({ phase: 'ended', reason: 'missed' });
  });
});

describe('hang up from the tray', () => {
  it('leaves a running call; the other side sees it hung up', async () => {
    const { alice, bob } = await talking();

    await alice.engine.handle({ type: 'hangup' });

    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'local_hangup' });
    await waitFor(() => bob.phase() === 'ended', 'Bob learns');
    expect(bob.view()).toMatchObject({ reason: 'hangup' });
  });

  it('stops ringing out (cancelled), and declines a call ringing here', async () => {
    const { alice, bob } = await ringing();
    await alice.engine.handle({ type: 'hangup' });
    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'cancelled' });
    await waitFor(() => bob.phase() === 'ended', 'Bob stops ringing');
    expect(bob.view()).toMatchObject({ reason: 'missed' });

    const again = await ringing();
    await again.bob.engine.handle({ type: 'hangup' });
    expect(again.bob.view()).toMatchObject({ phase: 'ended', reason: 'local_decline' });
    await waitFor(() => again.alice.phase() === 'ended', 'Alice learns Bob declined');
  });
});

describe('shortcuts', () => {
  it('the mute shortcut toggles the microphone of a running call and the others see it', async () => {
    const { alice, bob } = await talking();
    const aliceSeen = () => (bob.view() as Extract<CallView, { phase: 'active' }>).participants[0]?.audio;

    await alice.engine.handle({ type: 'toggle-mute' });
    expect(local(alice).muted).toBe(true);
    expect(alice.devices.live('audio')[0]?.enabled).toBe(false);
    await waitFor(() => aliceSeen() === false, 'Bob sees Alice muted');

    await alice.engine.handle({ type: 'toggle-mute' });
    expect(local(alice).muted).toBe(false);
    await waitFor(() => aliceSeen() === true, 'Bob sees Alice unmuted');
    // One call:media per change: nothing asked twice while the first was on its way.
    expect(alice.signaling.sent('call:media')).toEqual([
      { callId: expect.any(String), audio: false, video: false },
      { callId: expect.any(String), audio: true, video: false },
    ]);
  });

  it('mute and camera shortcuts do nothing outside a running call', async () => {
    const { bob } = await ringing('video');
    await bob.engine.handle({ type: 'toggle-mute' });
    await bob.engine.handle({ type: 'toggle-camera' });
    expect(bob.view()).toMatchObject({ phase: 'incoming', local: { muted: false } });
    expect(bob.signaling.sent('call:media')).toEqual([]);
  });

  it('the camera shortcut turns the camera off and on again', async () => {
    const { alice } = await talking('video');
    expect(local(alice).cameraOn).toBe(true);

    await alice.engine.handle({ type: 'toggle-camera' });
    expect(local(alice).cameraOn).toBe(false);
    expect(alice.devices.live('video')).toEqual([]);

    await alice.engine.handle({ type: 'toggle-camera' });
    expect(local(alice).cameraOn).toBe(true);
    expect(alice.devices.live('video')).toHaveLength(1);
  });

  it('the share shortcut asks the window for the click that capture needs', async () => {
    const { alice } = await talking();

    expect(await alice.engine.handle({ type: 'toggle-screen-share' })).toEqual({ kind: 'show-window' });
    expect(alice.engine.features.getSnapshot().sharePrompt).toBe(true);
  });

  it('the share shortcut outside a call, and a network check, change nothing', async () => {
    const server = new FakeCallServer();
    const alice = device(server, ALICE, 'device-alice-1');
    expect(await alice.engine.handle({ type: 'toggle-screen-share' })).toEqual({ kind: 'done' });
    expect(await alice.engine.handle({ type: 'network-check' })).toEqual({ kind: 'done' });
    expect(alice.engine.features.getSnapshot().sharePrompt).toBe(false);
    expect(alice.views).toEqual([]);
  });
});
