/**
 * One person's device for engine tests: a call engine on fake media and fake peer
 * connections, over whatever signaling the test provides (the fake call server,
 * or a real SignalingClient connected to the real server).
 */
import type { HistoryEntry } from '../../../preload/contract';
import { createCallEngine, type CallSignaling } from '../../../renderer/call/callEngine';
import type { SelfRef } from '../../../renderer/call/callState';
import type { CallView, RemoteParticipant } from '../../../renderer/call/types';
import type { FakeCallServer } from '../fakes/fakeCallServer';
import { FakeMediaDevices, createFakeStream } from '../fakes/fakeMedia';
import { fakePeerConnections, type FakePeerConnection } from '../fakes/fakePeerConnection';

export function enginePerson<S extends CallSignaling>(signaling: S, self: SelfRef) {
  const devices = new FakeMediaDevices();
  const pcs = fakePeerConnections();
  const history: HistoryEntry[] = [];
  const engine = createCallEngine({
    signaling,
    self,
    media: devices,
    createPeerConnection: pcs.create,
    createMediaStream: createFakeStream,
    onHistory: (entry) => history.push(entry),
    speakerPollMs: 20,
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

export const ALICE = { userId: 'user-alice-01', displayName: 'Alice' };
export const BOB = { userId: 'user-bob-0001', displayName: 'Bob' };
export const CAROL = { userId: 'user-carol-01', displayName: 'Carol' };

/** `who` on one device, connected to the test server, with a real engine. */
export function personOn(server: FakeCallServer, who: { userId: string; displayName: string }, deviceId: string) {
  const self = { ...who, deviceId };
  return enginePerson(server.connect(self), self);
}
