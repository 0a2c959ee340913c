/**
 * "Call Alice?" for a parley:// link: who would be called (name and id), and a
 * choice of audio or video; focus starts on "Audio call", so Enter never starts a
 * camera, and Escape or Cancel dials nothing.
 */
import { useEffect, useRef } from 'react';
import type { CallMedia } from '../../signaling-server/protocol';
import type { LinkCallQuestion } from '../state/linkCall';
import { useT } from '../i18n';
import { Dialog } from './Dialog';

interface LinkCallDialogProps {
  question: LinkCallQuestion;
  /** The user's choice; null: cancelled. */
  onAnswer(media: CallMedia | null): void;
}

export function LinkCallDialog({ question, onAnswer }: LinkCallDialogProps) {
  const { t } = useT();
  const audioRef = useRef<HTMLButtonElement>(null);
  // After Dialog's showModal() (a parent effect runs after its children's, so wait a frame).
  useEffect(() => {
    const frame = requestAnimationFrame(() => audioRef.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, []);

  return (
    <Dialog
      title={question.title}
      description={question.description}
      onClose={() => onAnswer(null)}
      footer={
        <>
          <button type="button" className="button button--secondary" onClick={() => onAnswer(null)}>
            {t('common.cancel')}
          </button>
          <button type="button" className="button button--secondary" onClick={() => onAnswer('video')}>
            {t('linkCall.video')}
          </button>
          <button ref={audioRef} type="button" className="button button--primary" onClick={() => onAnswer('audio')}>
            {t('linkCall.audio')}
          </button>
        </>
      }
    >
      <dl className="link-call">
        <dt>{t('linkCall.name')}</dt>
        <dd>{question.name}</dd>
        <dt>{t('linkCall.userId')}</dt>
        <dd>
          <code>{question.userId}</code>
        </dd>
      </dl>
    </Dialog>
  );
}
