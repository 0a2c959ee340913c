/**
 * The tray menu as data: a pure function from the renderer's call-state report to
 * a menu template. Items carry an `action` tag instead of a click closure, so the
 * menu can be compared in tests and trayService.ts decides what a click does.
 */
import type { CallAction, CallRequest, CallStateReport, Settings, TrayContact } from '../../preload/contract';
import { ENGLISH, type MainKey, type MainText } from '../i18n';

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

/** Keys of the locale group "tray" (renderer/i18n/locales), translated when the menu is built. */
export const PRESENCE_LABELS: Readonly<Record<TrayContact['status'], MainKey>> = {
  available: 'tray.available',
  away: 'tray.away',
  dnd: 'tray.dnd',
  in_call: 'tray.inCall',
  offline: 'tray.offline',
};

const STATUS_CHOICES: ReadonlyArray<{ status: ChosenStatus; label: MainKey }> = [
  { status: 'available', label: 'tray.available' },
  { status: 'away', label: 'tray.away' },
  { status: 'dnd', label: 'tray.dnd' },
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

function contactItem(contact: TrayContact, canCall: boolean, options: TrayMenuOptions, t: MainText): TrayMenuItem {
  const callable = canCall && contact.status !== 'offline';
  const call = (media: CallRequest['media']): TrayAction => ({
    kind: 'call',
    request: { userId: contact.userId, media },
  });
  return {
    label: t('tray.contactStatus', {
      name: menuText(contact.displayName, options.maxNameLength),
      status: t(PRESENCE_LABELS[contact.status]),
    }),
    type: 'submenu',
    submenu: [
      { label: t('tray.audioCall'), enabled: callable, action: call('audio') },
      { label: t('tray.videoCall'), enabled: callable, action: call('video') },
    ],
  };
}

function callSection(report: CallStateReport, t: MainText): TrayMenuItem[] {
  switch (report.phase) {
    case 'ringing':
      return [
        {
          label:
            report.caller === null
              ? t('tray.someoneCalling')
              : t('tray.callerCalling', { name: menuText(report.caller, 40) }),
          enabled: false,
        },
        { label: t('tray.accept'), action: act({ type: 'accept', video: true }) },
        { label: t('tray.acceptAudioOnly'), action: act({ type: 'accept', video: false }) },
        { label: t('tray.decline'), action: act({ type: 'decline' }) },
        SEPARATOR,
      ];
    case 'dialing':
      return [
        { label: t('tray.calling'), enabled: false },
        { label: t('tray.cancelCall'), action: act({ type: 'hangup' }) },
        { label: t('tray.showCall'), action: act({ type: 'show-call' }) },
        SEPARATOR,
      ];
    case 'in_call':
      return [
        { label: t('tray.inCallHeader'), enabled: false },
        { label: t(report.muted ? 'tray.unmute' : 'tray.mute'), action: act({ type: 'toggle-mute' }) },
        { label: t(report.cameraOn ? 'tray.cameraOff' : 'tray.cameraOn'), action: act({ type: 'toggle-camera' }) },
        ...(report.sharing ? [{ label: t('tray.stopSharing'), action: act({ type: 'toggle-screen-share' }) }] : []),
        { label: t('tray.hangUp'), action: act({ type: 'hangup' }) },
        { label: t('tray.showCall'), action: act({ type: 'show-call' }) },
        SEPARATOR,
      ];
    case 'offline':
      return [{ label: t('tray.notConnected'), enabled: false }, SEPARATOR];
    case 'idle':
      return [];
  }
}

function contactsSection(report: CallStateReport, options: TrayMenuOptions, t: MainText): TrayMenuItem[] {
  const canCall = report.phase === 'idle';
  const favourites = report.contacts.filter((c) => c.favourite).sort(byPresenceThenName);
  const online = report.contacts.filter((c) => !c.favourite && c.status !== 'offline').sort(byPresenceThenName);
  const shownFavourites = favourites.slice(0, options.maxContacts);
  const shownOnline = online.slice(0, Math.max(0, options.maxContacts - shownFavourites.length));
  const hidden = favourites.length + online.length - shownFavourites.length - shownOnline.length;

  const items: TrayMenuItem[] = [];
  if (shownFavourites.length > 0) {
    items.push({ label: t('tray.favourites'), enabled: false });
    items.push(...shownFavourites.map((c) => contactItem(c, canCall, options, t)));
  }
  if (shownOnline.length > 0) {
    items.push({ label: t('tray.online'), enabled: false });
    items.push(...shownOnline.map((c) => contactItem(c, canCall, options, t)));
  }
  if (hidden > 0) items.push({ label: t('tray.more'), action: { kind: 'show-window' } });
  if (items.length > 0) items.push(SEPARATOR);
  return items;
}

/**
 * `report` is null until the renderer's first report: then only Show and Quit.
 * `t` translates in main's language of the moment (main/i18n; English by default).
 */
export function buildTrayMenu(
  report: CallStateReport | null,
  options: TrayMenuOptions = DEFAULT_TRAY_MENU_OPTIONS,
  t: MainText = ENGLISH,
): TrayMenuItem[] {
  const always: TrayMenuItem[] = [
    { label: t('tray.showParley'), action: { kind: 'show-window' } },
    { label: t('tray.quit'), action: { kind: 'quit' } },
  ];
  if (report === null) return [{ label: t('tray.starting'), enabled: false }, SEPARATOR, ...always];

  const status: TrayMenuItem[] = [
    ...STATUS_CHOICES.map(({ status, label }) => ({
      label: t(label),
      type: 'radio' as const,
      checked: report.status === status,
      action: act({ type: 'set-status', status }),
    })),
    SEPARATOR,
  ];
  return [...callSection(report, t), ...status, ...contactsSection(report, options, t), ...always];
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

export function trayToolTip(report: CallStateReport | null, t: MainText = ENGLISH): string {
  if (report === null) return t('tray.tipIdle');
  switch (report.phase) {
    case 'ringing':
      return report.caller === null
        ? t('tray.tipRingingSomeone')
        : t('tray.tipRinging', { name: report.caller });
    case 'dialing':
      return t('tray.tipDialing');
    case 'in_call':
      return t(report.muted ? 'tray.tipInCallMuted' : 'tray.tipInCall');
    case 'offline':
      return t('tray.tipOffline');
    case 'idle':
      return t(report.status === 'dnd' ? 'tray.tipDnd' : 'tray.tipIdle');
  }
}
