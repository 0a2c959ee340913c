/**
 * One person's device for engine tests: a call engine on fake media and fake peer
 * connections, over whatever signaling the test provides (the fake call server,
 * or a real SignalingClient connected to the real server).
 *
 * Every device has a real identity (test/support/testIdentity.ts keys, the app's own
 * DeviceIdentity over them): its userId and deviceId are the ids of its keys, its
 * engine signs every SDP it sends, and checks every one it receives, as the app does.
 * The people below are made once per test file (top-level await).
 */
import type { HistoryEntry } from '../../../preload/contract';
import { createCallEngine, type CallSignaling } from '../../../renderer/call/callEngine';
import type { SelfRef } from '../../../renderer/call/callState';
import type { CallView, RemoteParticipant } from '../../../renderer/call/types';
import { deviceIdentity, type DeviceIdentity } from '../../../renderer/identity/deviceIdentity';
import { makeIdentity, makeUserKey, type TestIdentity, type TestUserKey } from '../../support/testIdentity';
import type { FakeCallServer } from '../fakes/fakeCallServer';
import { FakeMediaDevices, createFakeStream } from '../fakes/fakeMedia';
import { fakePeerConnections, type FakePeerConnection } from '../fakes/fakePeerConnection';

export interface TestPerson {
  userId: string;
  displayName: string;
}

const userKeys = new Map<string, TestUserKey>();
const identities = new Map<string, { test: TestIdentity; app: DeviceIdentity }>();

/** The app's DeviceIdentity over a test identity's keys (it holds the user key: it could link devices). */
export function appIdentity(test: TestIdentity): DeviceIdentity {
  return deviceIdentity({
    userId: test.userId,
    deviceId: test.deviceId,
    credential: test.credential,
    device: { privateKey: test.device.pair.privateKey, alg: test.device.alg },
    user: { privateKey: test.user.pair.privateKey, alg: test.user.alg },
  });
}

/** A new user: a user key, named. */
export async function newPerson(displayName: string): Promise<TestPerson> {
  const key = await makeUserKey();
  userKeys.set(key.userId, key);
  return { userId: key.userId, displayName };
}

/** A new device of `who`, whose deviceId satisfies `accept` (to choose a side of the polite rule). */
export async function newDevice(who: TestPerson, accept: (deviceId: string) => boolean = () => true): Promise<SelfRef> {
  const user = userKeys.get(who.userId);
  if (!user) throw new Error(`${who.displayName} was not made by newPerson`);
  for (;;) {
    const test = await makeIdentity({ user });
    if (!accept(test.deviceId)) continue;
    identities.set(test.deviceId, { test, app: appIdentity(test) });
    return { userId: who.userId, displayName: who.displayName, deviceId: test.deviceId };
  }
}

/** A new person on one new device. */
export async function newSelf(displayName: string): Promise<SelfRef> {
  return newDevice(await newPerson(displayName));
}

/** The identity of a device made here. */
export function identityOf(self: Pick<SelfRef, 'deviceId'>): DeviceIdentity {
  const found = identities.get(self.deviceId);
  if (!found) throw new Error(`device ${self.deviceId} was not made by newDevice`);
  return found.app;
}

/** The test keys of a device made here (to sign as it, or as someone pretending to be it). */
export function testIdentityOf(self: Pick<SelfRef, 'deviceId'>): TestIdentity {
  const found = identities.get(self.deviceId);
  if (!found) throw new Error(`device ${self.deviceId} was not made by newDevice`);
  return found.test;
}

export interface EnginePersonOptions {
  isContact?: (userId: string) => boolean;
  seesPresenceOf?: (userId: string) => boolean;
}

export function enginePerson<S extends CallSignaling>(signaling: S, self: SelfRef, options: EnginePersonOptions = {}) {
  const devices = new FakeMediaDevices();
  const pcs = fakePeerConnections();
  const history: HistoryEntry[] = [];
  const engine = createCallEngine({
    signaling,
    self,
    identity: identityOf(self),
    media: devices,
    createPeerConnection: pcs.create,
    createMediaStream: createFakeStream,
    onHistory: (entry) => history.push(entry),
    speakerPollMs: 20,
    ...(options.isContact ? { isContact: options.isContact } : {}),
    ...(options.seesPresenceOf ? { seesPresenceOf: options.seesPresenceOf } : {}),
  });
  const views: CallView[] = [];
  engine.subscribe((view) => views.push(view));
  const live = (): FakePeerConnection[] => pcs.open();
  return {
    self,
    signaling,
    devices,
    pcs,
    history,
    engine,
    views,
    live,
    view: (): CallView => engine.getView(),
    phase: (): CallView['phase'] => engine.getView().phase,
    participants: (): RemoteParticipant[] => {
      const v = engine.getView();
      return v.phase === 'active' ? v.participants : [];
    },
    senders: () => live().flatMap((pc) => pc.getTransceivers().map((t) => t.sender)),
    /** Offers made or received by every connection this device ever had. */
    offers: () => pcs.created.flatMap((pc) => pc.log).filter((l) => l.endsWith('offer')).length,
    connected: () =>
      live().length > 0 && live().every((pc) => pc.connectionState === 'connected' && pc.signalingState === 'stable'),
  };
}
export type EnginePerson = ReturnType<typeof enginePerson>;

export const ALICE = await newPerson('Alice');
export const BOB = await newPerson('Bob');
export const CAROL = await newPerson('Carol');

/** Each (person, label) pair is one device, the same one every time the label is named. */
const labelled = new Map<string, SelfRef>();
const spare = new Map<string, SelfRef[]>();
for (const who of [ALICE, BOB, CAROL]) {
  spare.set(who.userId, await Promise.all([1, 2, 3, 4].map(() => newDevice(who))));
}

/** `who`'s device called `label` (made at load: at most four labels per person). */
export function deviceOf(who: TestPerson, label: string): SelfRef {
  const key = `${who.userId}/${label}`;
  const known = labelled.get(key);
  if (known) return known;
  const next = spare.get(who.userId)?.shift();
  if (!next) throw new Error(`no device left for ${who.displayName} (${label}): make one with newDevice`);
  labelled.set(key, next);
  return next;
}

/** `who` on the device called `label`, connected to the test server, with a real engine. */
export function personOn(server: FakeCallServer, who: TestPerson, label: string, options: { isContact?: (userId: string) => boolean } = {}) {
  const self = deviceOf(who, label);
  return enginePerson(server.connect(self), self, options);
}

/** `who` on `self` (a device made by newDevice), connected to the test server. */
export function personAt(server: FakeCallServer, self: SelfRef, options: { isContact?: (userId: string) => boolean } = {}) {
  return enginePerson(server.connect(self), self, options);
}
