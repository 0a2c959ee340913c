/** It rings here: who (marked if the name looks like another's), audio or video, and the answers. */
import Ban from 'lucide-react/icons/ban';
import Phone from 'lucide-react/icons/phone';
import PhoneOff from 'lucide-react/icons/phone-off';
import Video from 'lucide-react/icons/video';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { CallView } from '../../call/types';
import { announceCall } from '../../state/callText';
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
    <OverOpenDialog announcement={announceCall(view)}>
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
    </OverOpenDialog>
  );
}

/** Another modal <dialog> (Settings, Add a contact…) is open: the page behind it is inert. */
function otherModalOpen(own: HTMLDialogElement | null): boolean {
  return [...document.querySelectorAll('dialog[open]')].some((dialog) => dialog !== own && dialog.matches(':modal'));
}

/** Accept (RoundButton focusOnShow) takes focus once the dialog is shown; showModal alone would pick the first button. */
function focusDefault(dialog: HTMLDialogElement): void {
  dialog.querySelector<HTMLElement>('[data-focus-on-show]')?.focus();
}

/**
 * The ringing card stays usable over an open dialog (issue 16.2/16.3). A modal dialog
 * makes everything outside it inert — the card could not be clicked and the live
 * region outside would not be read — so while one is open the card opens as its own
 * modal <dialog>, later in the top layer and so above it, with the announcement as an
 * alert inside. The open dialog is left as it was (closing it would lose a half-typed
 * invite or contact name); focus goes to Accept and, when the ringing stops, back to
 * where it was. Without another dialog the card stays in the page as before.
 */
function OverOpenDialog({ announcement, children }: { announcement: string; children: ReactNode }) {
  const [over, setOver] = useState(() => otherModalOpen(null));
  const ref = useRef<HTMLDialogElement>(null);

  // A dialog opened while it rings (or closed) moves the card into or out of the top layer.
  useEffect(() => {
    const observer = new MutationObserver((mutations) => {
      const dialog = ref.current;
      setOver(otherModalOpen(dialog));
      // Another dialog opened after ours would sit above it: ours goes back on top.
      const openedAbove = mutations.some(
        (m) => m.type === 'attributes' && m.target !== dialog && m.target instanceof HTMLDialogElement && m.target.matches(':modal'),
      );
      if (openedAbove && dialog?.open) {
        dialog.close();
        dialog.showModal();
        focusDefault(dialog);
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['open'] });
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const dialog = ref.current;
    if (!over || !dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    focusDefault(dialog);
    // Escape must not hide a ringing call: Decline is the way to refuse it.
    const onCancel = (event: Event): void => event.preventDefault();
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, [over]);

  if (!over) return <>{children}</>;
  return (
    <dialog ref={ref} className="dialog ringing-dialog" aria-labelledby="incoming-title">
      <p className="visually-hidden" role="alert">
        {announcement}
      </p>
      {children}
    </dialog>
  );
}
