/** Tells the host (tray, title, power blocker) the call state after every change. */
import { useEffect, useRef } from 'react';
import type { CallStateReport } from '../../preload/contract';
import type { ChosenStatus } from '../../signaling-server/protocol';
import type { CallView } from '../call/types';
import { buildCallStateReport, sameReport } from '../state/callReport';
import type { Contact } from '../state/contacts';
import type { Services } from './services';

export function useCallReport(
  services: Services,
  input: { online: boolean; view: CallView; status: ChosenStatus; contacts: readonly Contact[] },
): void {
  const last = useRef<CallStateReport | null>(null);
  const { online, view, status, contacts } = input;
  useEffect(() => {
    const report = buildCallStateReport({ online, view, status, contacts });
    if (sameReport(last.current, report)) return;
    last.current = report;
    services.bridge.reportCallState(report);
  }, [services, online, view, status, contacts]);
}
