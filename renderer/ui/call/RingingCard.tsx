/**
 * The card both sides see while a call rings: the other person's face in a ringing
 * pulse, a title and a subtitle, any camera or microphone error, and the answers
 * (RoundButton) as children. My camera behind it (PreviewBackdrop) is the stage's, not
 * the card's (CallStage: it outlives the card by a moment, hidden).
 */
import { useEffect, useRef, type ReactNode } from 'react';
import type { LocalMediaView } from '../../call/types';
import { Avatar } from '../Avatar';
import { isTextField, type ShortcutId } from '../shortcuts/shortcuts';
import { shortcutProps, useShortcut } from '../shortcuts/useShortcut';
import { hasLiveVideo } from './PreviewBackdrop';

interface RingingCardProps {
  /** 'incoming' adds the card's and the pulse's incoming look. */
  direction: 'incoming' | 'outgoing';
  /** The id of the title, which labels the card. */
  titleId: string;
  person: { userId: string; displayName: string };
  local: LocalMediaView | undefined;
  title: ReactNode;
  subtitle: ReactNode;
  children: ReactNode;
  /** A quiet request (a call from someone not in my contacts, "ask first"): no ringing pulse. */
  quiet?: boolean;
}

export function RingingCard({ direction, titleId, person, local, title, subtitle, children, quiet = false }: RingingCardProps) {
  const incoming = direction === 'incoming';
  const overVideo = hasLiveVideo(local);
  return (
    <section
      className={`call-card${incoming ? ' call-card--incoming' : ''}${overVideo ? ' call-card--over-video' : ''}`}
      aria-labelledby={titleId}
    >
      <div className={incoming ? 'ringing ringing--incoming' : 'ringing'} aria-hidden="true">
        {!quiet && <span className="ringing__wave" />}
        {!quiet && <span className="ringing__wave ringing__wave--2" />}
        <Avatar userId={person.userId} name={person.displayName} size="xl" />
      </div>
      <h2 id={titleId} className="call-card__title">
        {title}
      </h2>
      <p className="call-card__subtitle">{subtitle}</p>
      {local?.error && (
        <p className="call-card__error" role="alert">
          {local.error}
        </p>
      )}
      <div className="call-card__actions">{children}</div>
    </section>
  );
}

interface RoundButtonProps {
  tone: 'danger' | 'neutral' | 'accept';
  icon: ReactNode;
  label: string;
  onClick(): void;
  /** Its keyboard shortcut (shortcuts.ts): bound while the button is shown, and named in its tooltip. */
  shortcut?: ShortcutId;
  /**
   * Take focus when shown — unless focus is in a text field, so a call that rings
   * never swallows what someone is typing (they answer with the shortcut instead).
   */
  focusOnShow?: boolean;
}

/** A big round answer button with its label under it. */
export function RoundButton({ tone, icon, label, onClick, shortcut, focusOnShow = false }: RoundButtonProps) {
  const ref = useRef<HTMLButtonElement>(null);
  useShortcut(shortcut ?? 'hangUp', onClick, shortcut !== undefined);
  useEffect(() => {
    if (focusOnShow && !isTextField(document.activeElement)) ref.current?.focus();
  }, [focusOnShow]);
  return (
    <button
      ref={ref}
      type="button"
      className={`round-button round-button--${tone}`}
      onClick={onClick}
      data-focus-on-show={focusOnShow ? '' : undefined}
      {...(shortcut ? shortcutProps(shortcut, label) : {})}
    >
      <span className="round-button__circle">{icon}</span>
      <span className="round-button__label">{label}</span>
    </button>
  );
}
