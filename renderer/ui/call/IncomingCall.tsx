/** It rings here: who, audio or video, and the three answers. */
import Phone from 'lucide-react/icons/phone';
import PhoneOff from 'lucide-react/icons/phone-off';
import Video from 'lucide-react/icons/video';
import type { CallView } from '../../call/types';
import { peopleTitle } from '../../state/history';
import { RingingCard, RoundButton } from './RingingCard';

type IncomingView = Extract<CallView, { phase: 'incoming' }>;

interface IncomingCallProps {
  view: IncomingView;
  onAccept(video: boolean): void;
  onDecline(): void;
}

export function IncomingCall({ view, onAccept, onDecline }: IncomingCallProps) {
  const video = view.media === 'video';
  const others = view.others.filter((p) => p.userId !== view.from.userId);
  return (
    <RingingCard
      direction="incoming"
      titleId="incoming-title"
      person={view.from}
      local={view.local}
      title={view.from.displayName}
      subtitle={
        <>
          {video ? 'Incoming video call' : 'Incoming audio call'}
          {others.length > 0 && <> · with {peopleTitle(others.map((p) => p.displayName))}</>}
        </>
      }
    >
      <RoundButton tone="danger" icon={<PhoneOff size={26} aria-hidden="true" />} label="Decline" onClick={onDecline} />
      {video && (
        <RoundButton
          tone="neutral"
          icon={<Phone size={26} aria-hidden="true" />}
          label="Accept audio only"
          onClick={() => onAccept(false)}
        />
      )}
      <RoundButton
        tone="accept"
        icon={video ? <Video size={26} aria-hidden="true" /> : <Phone size={26} aria-hidden="true" />}
        label="Accept"
        onClick={() => onAccept(video)}
      />
    </RingingCard>
  );
}
