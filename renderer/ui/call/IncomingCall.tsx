/** It rings here: who, audio or video, and the three answers. */
import Phone from 'lucide-react/icons/phone';
import PhoneOff from 'lucide-react/icons/phone-off';
import Video from 'lucide-react/icons/video';
import type { CallView } from '../../call/types';
import { peopleTitle } from '../../state/history';
import { Avatar } from '../Avatar';
import { hasLiveVideo, PreviewBackdrop } from './PreviewBackdrop';

type IncomingView = Extract<CallView, { phase: 'incoming' }>;

interface IncomingCallProps {
  view: IncomingView;
  onAccept(video: boolean): void;
  onDecline(): void;
}

export function IncomingCall({ view, onAccept, onDecline }: IncomingCallProps) {
  const video = view.media === 'video';
  const others = view.others.filter((p) => p.userId !== view.from.userId);
  const preview = hasLiveVideo(view.local) ? view.local : null;
  return (
    <section
      className={`call-card call-card--incoming${preview ? ' call-card--over-video' : ''}`}
      aria-labelledby="incoming-title"
    >
      {preview && <PreviewBackdrop local={preview} />}
      <div className="ringing ringing--incoming" aria-hidden="true">
        <span className="ringing__wave" />
        <span className="ringing__wave ringing__wave--2" />
        <Avatar userId={view.from.userId} name={view.from.displayName} size="xl" />
      </div>
      <h2 id="incoming-title" className="call-card__title">
        {view.from.displayName}
      </h2>
      <p className="call-card__subtitle">
        {video ? 'Incoming video call' : 'Incoming audio call'}
        {others.length > 0 && <> · with {peopleTitle(others.map((p) => p.displayName))}</>}
      </p>
      {view.local?.error && (
        <p className="call-card__error" role="alert">
          {view.local.error}
        </p>
      )}
      <div className="call-card__actions">
        <button type="button" className="round-button round-button--danger" onClick={onDecline}>
          <span className="round-button__circle">
            <PhoneOff size={26} aria-hidden="true" />
          </span>
          <span className="round-button__label">Decline</span>
        </button>
        {video && (
          <button type="button" className="round-button round-button--neutral" onClick={() => onAccept(false)}>
            <span className="round-button__circle">
              <Phone size={26} aria-hidden="true" />
            </span>
            <span className="round-button__label">Accept audio only</span>
          </button>
        )}
        <button type="button" className="round-button round-button--accept" onClick={() => onAccept(video)}>
          <span className="round-button__circle">
            {video ? <Video size={26} aria-hidden="true" /> : <Phone size={26} aria-hidden="true" />}
          </span>
          <span className="round-button__label">Accept</span>
        </button>
      </div>
    </section>
  );
}
