/** It rings here: who (marked if the name looks like another's), audio or video, and the answers. */
import Ban from 'lucide-react/icons/ban';
import Phone from 'lucide-react/icons/phone';
import PhoneOff from 'lucide-react/icons/phone-off';
import Video from 'lucide-react/icons/video';
import type { CallView } from '../../call/types';
import { peopleTitle } from '../../state/history';
import { PersonName } from '../PersonName';
import { useShortcut } from '../shortcuts/useShortcut';
import { RingingCard, RoundButton } from './RingingCard';

type IncomingView = Extract<CallView, { phase: 'incoming' }>;

interface IncomingCallProps {
  view: IncomingView;
  onAccept(video: boolean): void;
  onDecline(): void;
  /** Decline, and put the caller on the block list so their calls stop ringing. */
  onDeclineAndBlock(): void;
  /**
   * The caller is not in my contacts. 'ask' (Settings → Calls from people not in
   * your contacts): a quiet request that says so, without a ringtone; nothing
   * connects before Accept. 'ring': rings as usual, and still says so.
   */
  stranger?: 'ask' | 'ring' | null;
}

export function IncomingCall({ view, onAccept, onDecline, onDeclineAndBlock, stranger = null }: IncomingCallProps) {
  const video = view.media === 'video';
  const others = view.others.filter((p) => p.userId !== view.from.userId);
  // An audio call has no "Accept audio only" button; its shortcut still answers it.
  useShortcut('answerAudio', () => onAccept(false), !video);
  return (
    <RingingCard
      direction="incoming"
      titleId="incoming-title"
      person={view.from}
      local={view.local}
      quiet={stranger === 'ask'}
      title={<PersonName userId={view.from.userId} name={view.from.displayName} />}
      subtitle={
        <>
          {stranger !== null && (
            <span className="stranger-note">
              {view.from.displayName} is not in your contacts
              {stranger === 'ask' ? ': they asked to call you. Nothing connects unless you accept.' : '.'}
              <br />
            </span>
          )}
          {video ? 'Incoming video call' : 'Incoming audio call'}
          {others.length > 0 && <> · with {peopleTitle(others.map((p) => p.displayName))}</>}
        </>
      }
    >
      <RoundButton tone="neutral" icon={<Ban size={26} aria-hidden="true" />} label="Decline and block" onClick={onDeclineAndBlock} />
      <RoundButton tone="danger" icon={<PhoneOff size={26} aria-hidden="true" />} label="Decline" shortcut="decline" onClick={onDecline} />
      {video && (
        <RoundButton
          tone="neutral"
          icon={<Phone size={26} aria-hidden="true" />}
          label="Accept audio only"
          shortcut="answerAudio"
          onClick={() => onAccept(false)}
        />
      )}
      <RoundButton
        tone="accept"
        icon={video ? <Video size={26} aria-hidden="true" /> : <Phone size={26} aria-hidden="true" />}
        label="Accept"
        shortcut="answerVideo"
        focusOnShow
        onClick={() => onAccept(video)}
      />
    </RingingCard>
  );
}
