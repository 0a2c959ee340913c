/** It rings here: who (marked if the name looks like another's), audio or video, and the answers. */
import Ban from 'lucide-react/icons/ban';
import Phone from 'lucide-react/icons/phone';
import PhoneOff from 'lucide-react/icons/phone-off';
import Video from 'lucide-react/icons/video';
import type { CallView } from '../../call/types';
import { peopleTitle } from '../../state/history';
import { PersonName } from '../PersonName';
import { useShortcut } from '../shortcuts/useShortcut';
import { useT } from '../../i18n';
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
  const { t } = useT();
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
              {t(stranger === 'ask' ? 'ringing.notContactAsk' : 'ringing.notContact', { name: view.from.displayName })}
              <br />
            </span>
          )}
          {others.length > 0
            ? t(video ? 'ringing.incomingVideoWith' : 'ringing.incomingAudioWith', { names: peopleTitle(others.map((p) => p.displayName)) })
            : t(video ? 'ringing.incomingVideo' : 'ringing.incomingAudio')}
        </>
      }
    >
      <RoundButton tone="neutral" icon={<Ban size={26} aria-hidden="true" />} label={t('ringing.declineBlock')} onClick={onDeclineAndBlock} />
      <RoundButton tone="danger" icon={<PhoneOff size={26} aria-hidden="true" />} label={t('ringing.decline')} shortcut="decline" onClick={onDecline} />
      {video && (
        <RoundButton
          tone="neutral"
          icon={<Phone size={26} aria-hidden="true" />}
          label={t('ringing.acceptAudio')}
          shortcut="answerAudio"
          onClick={() => onAccept(false)}
        />
      )}
      <RoundButton
        tone="accept"
        icon={video ? <Video size={26} aria-hidden="true" /> : <Phone size={26} aria-hidden="true" />}
        label={t('ringing.accept')}
        shortcut="answerVideo"
        focusOnShow
        onClick={() => onAccept(video)}
      />
    </RingingCard>
  );
}
