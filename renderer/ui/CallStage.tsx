/** The main stage: one screen per call phase. */
import type { CallMedia } from '../../signaling-server/protocol';
import type { FeaturesView } from '../call/featureTypes';
import type { CallView, PersonRef } from '../call/types';
import type { Contact } from '../state/contacts';
import type { CallEngine } from '../session';
import { CallEnded } from './call/CallEnded';
import { InCall, type InCallDevices } from './call/InCall';
import { IncomingCall } from './call/IncomingCall';
import { OutgoingCall } from './call/OutgoingCall';
import { IdleStage } from './IdleStage';
import type { Services } from './services';

interface CallStageProps {
  services: Services;
  engine: CallEngine | null;
  view: CallView;
  self: PersonRef;
  online: boolean;
  contacts: readonly Contact[];
  speakerId: string | null;
  features: FeaturesView;
  devices: InCallDevices;
  run(action: () => Promise<void> | void): void;
  onCall(person: PersonRef, media: CallMedia): void;
  /** Puts a person on the block list (Decline and block). */
  onBlock(person: PersonRef): void;
  /** A ringing call from someone not in my contacts: how it is shown (null: a contact). */
  incomingStranger?: 'ask' | 'ring' | null;
  /** The server has a media server: "Add participant" offers to make the call a meeting. */
  meetings?: boolean;
}

export function CallStage(props: CallStageProps) {
  const { services, engine, view, self, online, contacts, speakerId, features, devices, run, onCall, onBlock } = props;
  if (!engine || view.phase === 'idle') {
    return <IdleStage name={self.displayName} online={online} notifications={services.webNotifications} />;
  }
  switch (view.phase) {
    case 'outgoing':
      return <OutgoingCall view={view} onCancel={() => run(() => engine.cancel())} />;
    case 'incoming':
      return (
        <IncomingCall
          view={view}
          onAccept={(video) => run(() => engine.accept({ video }))}
          onDecline={() => run(() => engine.decline())}
          onDeclineAndBlock={() => {
            onBlock(view.from);
            run(() => engine.decline());
          }}
          stranger={props.incomingStranger ?? null}
        />
      );
    case 'active':
      return (
        <InCall
          view={view}
          self={self}
          contacts={contacts}
          speakerId={speakerId}
          features={features}
          controller={engine.features}
          devices={devices}
          run={run}
          onToggleMute={() => engine.setMuted(!view.local.muted)}
          onToggleCamera={() => run(() => engine.setCameraOn(!view.local.cameraOn))}
          onInvite={(person, options) => run(() => engine.invite(person, options))}
          meetings={props.meetings === true}
          onHangUp={() => run(() => engine.hangUp())}
        />
      );
    case 'ended': {
      const peer = view.peers.length === 1 ? view.peers[0] : undefined;
      const reachable = peer ? contacts.some((c) => c.userId === peer.userId && c.status !== 'offline') : false;
      return (
        <CallEnded
          key={view.callId ?? 'ended'}
          view={view}
          onClose={() => engine.dismiss()}
          onCallAgain={peer && reachable && online ? () => onCall(peer, view.media) : null}
        />
      );
    }
  }
}
