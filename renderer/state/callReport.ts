/**
 * What the host shows outside the window (tray icon and menu, window title, power
 * blocker), built from the call view, the connection and the contacts.
 */
import type { CallStateReport, TrayContact } from '../../preload/contract';
import type { ChosenStatus } from '../../signaling-server/protocol';
import type { CallView } from '../call/types';
import type { Contact } from './contacts';

export interface ReportInput {
  online: boolean;
  view: CallView;
  status: ChosenStatus;
  contacts: readonly Contact[];
}

/** The tray menu cannot show more than this many contacts anyway (contract limit). */
const MAX_TRAY_CONTACTS = 2000;

export function buildCallStateReport({ online, view, status, contacts }: ReportInput): CallStateReport {
  const phase: CallStateReport['phase'] =
    view.phase === 'incoming'
      ? 'ringing'
      : view.phase === 'outgoing'
        ? 'dialing'
        : view.phase === 'active'
          ? 'in_call'
          : online
            ? 'idle'
            : 'offline';
  const local = view.phase === 'active' ? view.local : null;
  const trayContacts: TrayContact[] = contacts.slice(0, MAX_TRAY_CONTACTS).map((c) => ({
    userId: c.userId,
    displayName: c.displayName,
    status: c.status,
    favourite: c.favourite,
  }));
  return {
    phase,
    status,
    muted: local?.muted ?? false,
    cameraOn: local?.cameraOn ?? false,
    sharing: !!local?.screen,
    caller: view.phase === 'incoming' ? view.from.displayName : null,
    contacts: trayContacts,
  };
}

/** Equal reports need not be sent twice (contacts change often, the rest seldom). */
export function sameReport(a: CallStateReport | null, b: CallStateReport): boolean {
  return a !== null && JSON.stringify(a) === JSON.stringify(b);
}
