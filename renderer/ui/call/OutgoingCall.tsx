/** I am calling someone: their face, a ringing pulse, and Cancel. */
import PhoneOff from 'lucide-react/icons/phone-off';
import type { CallView } from '../../call/types';
import { Avatar } from '../Avatar';
import { hasLiveVideo, PreviewBackdrop } from './PreviewBackdrop';

type OutgoingView = Extract<CallView, { phase: 'outgoing' }>;

export function OutgoingCall({ view, onCancel }: { view: OutgoingView; onCancel(): void }) {
  const preview = hasLiveVideo(view.local) ? view.local : null;
  return (
    <section className={`call-card${preview ? ' call-card--over-video' : ''}`} aria-labelledby="outgoing-title">
      {preview && <PreviewBackdrop local={preview} />}
      <div className="ringing" aria-hidden="true">
        <span className="ringing__wave" />
        <span className="ringing__wave ringing__wave--2" />
        <Avatar userId={view.peer.userId} name={view.peer.displayName} size="xl" />
      </div>
      <h2 id="outgoing-title" className="call-card__title">
        Calling {view.peer.displayName}…
      </h2>
      <p className="call-card__subtitle">
        {view.media === 'video' ? 'Video call' : 'Audio call'} · {view.callId ? 'Ringing' : 'Connecting'}
      </p>
      {view.local?.error && (
        <p className="call-card__error" role="alert">
          {view.local.error}
        </p>
      )}
      <div className="call-card__actions">
        <button type="button" className="round-button round-button--danger" onClick={onCancel}>
          <span className="round-button__circle">
            <PhoneOff size={26} aria-hidden="true" />
          </span>
          <span className="round-button__label">Cancel</span>
        </button>
      </div>
    </section>
  );
}
