/**
 * Announces call state changes to screen readers. The region exists from the start
 * (live regions added together with their text are often not read) and only its
 * text changes.
 */
import { useEffect, useRef, useState } from 'react';
import type { CallView } from '../call/types';
import { announceCall, announcementKey } from '../state/callText';

export function LiveRegion({ view }: { view: CallView }) {
  const key = announcementKey(view);
  const [text, setText] = useState('');
  const latest = useRef(view);
  latest.current = view;
  const count = useRef(0);
  // Only a new key is news; media and speaker updates are not announced. The same words
  // twice in a row (a second call from the same person) would leave the text node as it
  // was, and a screen reader silent: every other announcement ends in a no-break space.
  useEffect(() => {
    count.current += 1;
    const words = announceCall(latest.current);
    setText(words && count.current % 2 === 0 ? `${words}\u00a0` : words);
  }, [key]);
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="call-announcer">
      {text}
    </div>
  );
}
