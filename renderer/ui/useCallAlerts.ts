/**
 * What an incoming call does outside the call screen: the ringtone, the host's
 * notification (dismissed when the ringing stops), and the short tone when a call ends.
 */
import { useEffect, useRef } from 'react';
import type { CallView } from '../call/types';
import { log } from '../log';
import type { Services } from './services';

/** `quiet`: a call from someone not in my contacts, "ask first": the notification, but no ringtone. */
export function useCallAlerts(services: Services, view: CallView, quiet = false): void {
  const { bridge, ringtone } = services;
  const ringingId = view.phase === 'incoming' ? view.callId : null;
  const latest = useRef(view);
  latest.current = view;
  const quietRef = useRef(quiet);
  quietRef.current = quiet;

  useEffect(() => {
    if (ringingId === null) return;
    const ringing = latest.current;
    if (!quietRef.current) ringtone.start();
    if (ringing.phase === 'incoming') {
      bridge
        .showIncomingCall({ callId: ringing.callId, callerName: ringing.from.displayName, media: ringing.media })
        // No notification is not worth a second error on screen: the window rings.
        .catch((error: unknown) => log.child('ui').info(`no notification for the call ${ringing.callId} ringing`, error));
    }
    return () => {
      ringtone.stop();
      bridge.dismissIncomingCall(ringingId);
    };
  }, [bridge, ringtone, ringingId]);

  const previousPhase = useRef(view.phase);
  useEffect(() => {
    const before = previousPhase.current;
    previousPhase.current = view.phase;
    if (view.phase === 'ended' && before !== 'ended' && before !== 'idle') ringtone.playEnded();
  }, [ringtone, view.phase]);
}
