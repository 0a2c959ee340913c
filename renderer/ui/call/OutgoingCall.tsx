/** I am calling someone: their face, a ringing pulse, and Cancel. */
import PhoneOff from 'lucide-react/icons/phone-off';
import type { CallView } from '../../call/types';
import { RingingCard, RoundButton } from './RingingCard';

type OutgoingView = Extract<CallView, { phase: 'outgoing' }>;

export function OutgoingCall({ view, onCancel }: { view: OutgoingView; onCancel(): void }) {
  return (
    <RingingCard
      direction="outgoing"
      titleId="outgoing-title"
      person={view.peer}
      local={view.local}
      title={<>Calling {view.peer.displayName}…</>}
      subtitle={
        <>
          {view.media === 'video' ? 'Video call' : 'Audio call'} · {view.callId ? 'Ringing' : 'Connecting'}
        </>
      }
    >
      <RoundButton tone="danger" icon={<PhoneOff size={26} aria-hidden="true" />} label="Cancel" shortcut="hangUp" onClick={onCancel} />
    </RingingCard>
  );
}
