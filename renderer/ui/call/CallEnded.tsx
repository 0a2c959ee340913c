/**
 * The call is over: say why, plainly, then return by itself after a few seconds —
 * except a call that could not be verified, a warning that stays until it is closed.
 */
import { useEffect, useRef, useState } from 'react';
import PhoneCall from 'lucide-react/icons/phone-call';
import PhoneMissed from 'lucide-react/icons/phone-missed';
import PhoneOff from 'lucide-react/icons/phone-off';
import type { CallView } from '../../call/types';
import { describeEnded } from '../../state/callText';
import { useT } from '../../i18n';
import { Avatar } from '../Avatar';
import { isTextField } from '../shortcuts/shortcuts';

type EndedView = Extract<CallView, { phase: 'ended' }>;

export const AUTO_CLOSE_SECONDS = 5;

interface CallEndedProps {
  view: EndedView;
  onClose(): void;
  /** Present when calling the same person again makes sense and is possible. */
  onCallAgain: (() => void) | null;
}

export function CallEnded({ view, onClose, onCallAgain }: CallEndedProps) {
  const { t } = useT();
  const text = describeEnded(view);
  const [left, setLeft] = useState(AUTO_CLOSE_SECONDS);
  const [held, setHeld] = useState(false);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  const sticky = view.reason === 'unverified';
  // The card's primary action (Call back / Call again, else Close) takes focus when it
  // appears, unless someone is typing elsewhere. That focus is ours, not the person's
  // working with the card, so it does not hold the countdown.
  const primary = useRef<HTMLButtonElement>(null);
  const focusingItself = useRef(false);
  useEffect(() => {
    if (isTextField(document.activeElement)) return;
    focusingItself.current = true;
    primary.current?.focus();
    focusingItself.current = false;
  }, []);

  // Counting pauses while the person is working with the card (focus inside it).
  useEffect(() => {
    if (held || sticky) return;
    if (left <= 0) {
      closeRef.current();
      return;
    }
    const timer = setTimeout(() => setLeft((n) => n - 1), 1000);
    return () => clearTimeout(timer);
  }, [left, held, sticky]);

  const peer = view.peers.length === 1 ? view.peers[0] : undefined;
  const missed = view.reason === 'missed';
  // A call that rang here (missed, or declined here) is returned, as the history's "Call back" does.
  const callBack = missed || view.reason === 'local_decline';
  const Icon = missed ? PhoneMissed : PhoneOff;
  return (
    <section
      className="call-card call-card--ended"
      aria-labelledby="ended-title"
      onFocus={() => {
        if (!focusingItself.current) setHeld(true);
      }}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget)) setHeld(false);
      }}
    >
      {peer ? (
        <Avatar userId={peer.userId} name={peer.displayName} size="xl" />
      ) : (
        <span className="call-card__icon" aria-hidden="true">
          <Icon size={36} />
        </span>
      )}
      <h2 id="ended-title" className={`call-card__title${missed ? ' call-card__title--missed' : ''}`}>
        {text.headline}
      </h2>
      {text.detail && <p className="call-card__subtitle">{text.detail}</p>}
      <div className="call-card__actions call-card__actions--compact">
        {onCallAgain && text.offerRetry && peer && (
          <button ref={primary} type="button" className="button button--accept" onClick={onCallAgain}>
            <PhoneCall size={18} aria-hidden="true" />
            {callBack ? t('ended.callBack') : t('ended.callAgain')}
          </button>
        )}
        <button
          ref={onCallAgain && text.offerRetry && peer ? undefined : primary}
          type="button"
          className="button button--secondary"
          onClick={onClose}
        >
          {t('common.close')}
        </button>
      </div>
      <p className="call-card__countdown" aria-hidden="true">
        {sticky ? t('ended.stays') : held ? t('ended.held') : t('ended.closesIn', { count: left })}
      </p>
    </section>
  );
}
