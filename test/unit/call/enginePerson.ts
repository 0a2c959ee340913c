/**
 * One person's device for engine tests: a call engine on fake media and fake peer
 * connections, over whatever signaling the test provides (the fake call server,
 * or a real SignalingClient connected to the real server).
 */
import type { HistoryEntry } from '../../../preload/contract';
import { createCallEngine, type CallSignaling } from '../../../renderer/call/callEngine';
import type { SelfRef } from '../../../renderer/call/callState';
import type { CallView, RemoteParticipant } from '../../../renderer/call/types';
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
