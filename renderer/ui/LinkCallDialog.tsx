/**
 * "Call Alice?" for a parley:// link: who would be called (name and id), and a
 * choice of audio or video; focus starts on "Audio call", so Enter never starts a
 * camera, and Escape or Cancel dials nothing.
 */
import { useEffect, useRef } from 'react';
import type { CallMedia } from '../../signaling-server/protocol';
import type { LinkCallQuestion } from '../state/linkCall';
import { Dialog } from './Dialog';

interface LinkCallDialogProps {
  question: LinkCallQuestion;
  /** The user's choice; null: cancelled. */
  onAnswer(media: CallMedia | null): void;
}

export function LinkCallDialog({ question, onAnswer }: LinkCallDialogProps) {
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
            Cancel
          </button>
          <button type="button" className="button button--secondary" onClick={() => onAnswer('video')}>
            Video call
          </button>
          <button ref={audioRef} type="button" className="button button--primary" onClick={() => onAnswer('audio')}>
            Audio call
          </button>
        </>
      }
    >
      <dl className="link-call">
        <dt>Name</dt>
        <dd>{question.name}</dd>
        <dt>User id</dt>
        <dd>
          <code>{question.userId}</code>
        </dd>
      </dl>
    </Dialog>
  );
}
