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
  // Only a new key is news; media and speaker updates are not announced.
  useEffect(() => setText(announceCall(latest.current)), [key]);
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="call-announcer">
      {text}
    </div>
  );
}
