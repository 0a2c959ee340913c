/**
 * The tray menu as data: a pure function from the renderer's call-state report to
 * a menu template. Items carry an `action` tag instead of a click closure, so the
 * menu can be compared in tests and trayService.ts decides what a click does.
 */
import type { CallAction, CallRequest, CallStateReport, Settings, TrayContact } from '../../preload/contract';

type ChosenStatus = Settings['status'];

export type TrayAction =
  | { kind: 'call'; request: CallRequest }
  | { kind: 'call-action'; action: CallAction }
  | { kind: 'show-window' }
  | { kind: 'quit' };

export interface TrayMenuItem {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
  enabled?: boolean;
  checked?: boolean;
  submenu?: TrayMenuItem[];
  action?: TrayAction;
}

export interface TrayMenuOptions {
  /** Contacts shown before "More… (open Parley)": a tray menu taller than a screen is useless. */
  maxContacts: number;
  /** Longer names are cut with an ellipsis so the menu stays narrow. */
  maxNameLength: number;
}

export const DEFAULT_TRAY_MENU_OPTIONS: TrayMenuOptions = { maxContacts: 12, maxNameLength: 32 };

export const PRESENCE_LABELS: Readonly<Record<TrayContact['status'], string>> = {
  available: 'Available',
  away: 'Away',
  dnd: 'Do not disturb',
  in_call: 'In a call',
  offline: 'Offline',
};

const STATUS_CHOICES: ReadonlyArray<{ status: ChosenStatus; label: string }> = [
  { status: 'available', label: 'Available' },
  { status: 'away', label: 'Away' },
  { status: 'dnd', label: 'Do not disturb' },
];

/** Sort order: the people most likely to pick up first. */
const PRESENCE_RANK: Readonly<Record<TrayContact['status'], number>> = {
  available: 0,
  away: 1,
  in_call: 2,
  dnd: 3,
  offline: 4,
};

const SEPARATOR: TrayMenuItem = { type: 'separator' };
const act = (action: CallAction): TrayAction => ({ kind: 'call-action', action });

/**
 * Text from other people goes into a native menu label. On Windows and Linux a
 * single `&` marks the next letter as the keyboard mnemonic, so it is doubled to be
 * shown as itself; very long names are shortened.
 */
export function menuText(text: string, maxLength: number): string {
  const chars = [...text];
  const short = chars.length > maxLength ? `${chars.slice(0, maxLength - 1).join('')}…` : text;
  return short.replace(/&/g, '&&');
}

function byPresenceThenName(a: TrayContact, b: TrayContact): number {
  return PRESENCE_RANK[a.status] - PRESENCE_RANK[b.status] || a.displayName.localeCompare(b.displayName);
}

function contactItem(contact: TrayContact, canCall: boolean, options: TrayMenuOptions): TrayMenuItem {
  const callable = canCall && contact.status !== 'offline';
  const call = (media: CallRequest['media']): TrayAction => ({
    kind: 'call',
    request: { userId: contact.userId, media },
  });
  return {
    label: `${menuText(contact.displayName, options.maxNameLength)} — ${PRESENCE_LABELS[contact.status]}`,
    type: 'submenu',
    submenu: [
      { label: 'Audio call', enabled: callable, action: call('audio') },
      { label: 'Video call', enabled: callable, action: call('video') },
    ],
  };
}

function callSection(report: CallStateReport): TrayMenuItem[] {
  switch (report.phase) {
    case 'ringing':
      return [
        { label: `${menuText(report.caller ?? 'Someone', 40)} is calling`, enabled: false },
        { label: 'Accept', action: act({ type: 'accept', video: true }) },
        { label: 'Accept audio only', action: act({ type: 'accept', video: false }) },
        { label: 'Decline', action: act({ type: 'decline' }) },
        SEPARATOR,
      ];
    case 'dialing':
      return [
        { label: 'Calling…', enabled: false },
        { label: 'Cancel call', action: act({ type: 'hangup' }) },
        { label: 'Show call', action: act({ type: 'show-call' }) },
        SEPARATOR,
      ];
    case 'in_call':
      return [
        { label: 'In a call', enabled: false },
        { label: report.muted ? 'Unmute' : 'Mute', action: act({ type: 'toggle-mute' }) },
        { label: report.cameraOn ? 'Turn camera off' : 'Turn camera on', action: act({ type: 'toggle-camera' }) },
        ...(report.sharing ? [{ label: 'Stop sharing', action: act({ type: 'toggle-screen-share' }) }] : []),
        { label: 'Hang up', action: act({ type: 'hangup' }) },
        { label: 'Show call', action: act({ type: 'show-call' }) },
        SEPARATOR,
      ];
    case 'offline':
      return [{ label: 'Not connected to the server', enabled: false }, SEPARATOR];
    case 'idle':
      return [];
  }
}

function contactsSection(report: CallStateReport, options: TrayMenuOptions): TrayMenuItem[] {
  const canCall = report.phase === 'idle';
  const favourites = report.contacts.filter((c) => c.favourite).sort(byPresenceThenName);
  const online = report.contacts.filter((c) => !c.favourite && c.status !== 'offline').sort(byPresenceThenName);
  const shownFavourites = favourites.slice(0, options.maxContacts);
  const shownOnline = online.slice(0, Math.max(0, options.maxContacts - shownFavourites.length));
  const hidden = favourites.length + online.length - shownFavourites.length - shownOnline.length;

  const items: TrayMenuItem[] = [];
  if (shownFavourites.length > 0) {
    items.push({ label: 'Favourites', enabled: false });
    items.push(...shownFavourites.map((c) => contactItem(c, canCall, options)));
  }
  if (shownOnline.length > 0) {
    items.push({ label: 'Online', enabled: false });
    items.push(...shownOnline.map((c) => contactItem(c, canCall, options)));
  }
  if (hidden > 0) items.push({ label: 'More… (open Parley)', action: { kind: 'show-window' } });
  if (items.length > 0) items.push(SEPARATOR);
  return items;
}

/** `report` is null until the renderer's first report: then only Show and Quit. */
export function buildTrayMenu(
  report: CallStateReport | null,
  options: TrayMenuOptions = DEFAULT_TRAY_MENU_OPTIONS,
): TrayMenuItem[] {
  const always: TrayMenuItem[] = [
    { label: 'Show Parley', action: { kind: 'show-window' } },
    { label: 'Quit', action: { kind: 'quit' } },
  ];
  if (report === null) return [{ label: 'Starting…', enabled: false }, SEPARATOR, ...always];

  const status: TrayMenuItem[] = [
    ...STATUS_CHOICES.map(({ status, label }) => ({
      label,
      type: 'radio' as const,
      checked: report.status === status,
      action: act({ type: 'set-status', status }),
    })),
    SEPARATOR,
  ];
  return [...callSection(report), ...status, ...contactsSection(report, options), ...always];
}

export type TrayIconState = 'idle' | 'ringing' | 'in-call' | 'muted' | 'dnd' | 'offline';

export const TRAY_ICON_STATES: readonly TrayIconState[] = ['idle', 'ringing', 'in-call', 'muted', 'dnd', 'offline'];

export function trayIconState(report: CallStateReport | null): TrayIconState {
  if (report === null) return 'idle';
  switch (report.phase) {
    case 'ringing':
      return 'ringing';
    case 'in_call':
    case 'dialing':
      return report.muted ? 'muted' : 'in-call';
    case 'offline':
      return 'offline';
    case 'idle':
      return report.status === 'dnd' ? 'dnd' : 'idle';
  }
}

export function trayToolTip(report: CallStateReport | null): string {
  if (report === null) return 'Parley';
  switch (report.phase) {
    case 'ringing':
      return `Parley — ${report.caller ?? 'someone'} is calling`;
    case 'dialing':
      return 'Parley — calling…';
    case 'in_call':
      return report.muted ? 'Parley — in a call (muted)' : 'Parley — in a call';
    case 'offline':
      return 'Parley — not connected';
    case 'idle':
      return report.status === 'dnd' ? 'Parley — do not disturb' : 'Parley';
  }
}
