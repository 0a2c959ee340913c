/** I am calling someone: their face, a ringing pulse, and Cancel. */
import PhoneOff from 'lucide-react/icons/phone-off';
import type { CallView } from '../../call/types';
import { useT } from '../../i18n';
import { RingingCard, RoundButton } from './RingingCard';

type OutgoingView = Extract<CallView, { phase: 'outgoing' }>;

export function OutgoingCall({ view, onCancel }: { view: OutgoingView; onCancel(): void }) {
  const { t } = useT();
  const video = view.media === 'video';
  const ringing = view.callId !== null && view.callId !== undefined && view.callId !== '';
  return (
    <RingingCard
      direction="outgoing"
      titleId="outgoing-title"
      person={view.peer}
      local={view.local}
      title={t('ringing.calling', { name: view.peer.displayName })}
      subtitle={
        video
          ? t(ringing ? 'ringing.videoRinging' : 'ringing.videoConnecting')
          : t(ringing ? 'ringing.audioRinging' : 'ringing.audioConnecting')
      }
    >
      <RoundButton tone="danger" icon={<PhoneOff size={26} aria-hidden="true" />} label={t('call.cancel')} shortcut="hangUp" onClick={onCancel} />
    </RingingCard>
  );
}
