import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, type CallStateReport, type TrayContact } from '../../preload/contract';
import { buildTrayMenu, menuText, trayIconState, type TrayMenuItem } from '../../main/tray/trayMenu';
import { TrayService, type TrayLike } from '../../main/tray/trayService';
import { callStateReport } from '../support/callStateReport';
import { ManualClock, RecordingEvents, recordingLogger, silentLogger } from './fakes';

const contact = (name: string, status: TrayContact['status'], favourite = false): TrayContact => ({
  userId: `user-${name.toLowerCase().replace(/[^a-z0-9]/g, '')}-0001`,
  displayName: name,
  status,
  favourite,
});

const base = callStateReport({
  contacts: [contact('Alice', 'available', true), contact('Bob', 'away'), contact('Carol', 'offline')],
});

const labels = (items: TrayMenuItem[]): string[] => items.map((i) => i.label ?? `(${i.type})`);
const find = (items: TrayMenuItem[], label: string): TrayMenuItem => {
  const item = items.find((i) => i.label === label);
  if (item === undefined) throw new Error(`no menu item "${label}" in ${labels(items).join(' | ')}`);
  return item;
};

describe('tray menu (pure)', () => {
  it('idle: status radios, favourites then online contacts with presence, Show and Quit', () => {
    const menu = buildTrayMenu(base);
    expect(labels(menu)).toEqual([
      'Available',
      'Away',
      'Do not disturb',
      '(separator)',
      'Favourites',
      'Alice — Available',
      'Online',
      'Bob — Away',
      '(separator)',
      'Show Parley',
      'Quit',
    ]);
    expect(find(menu, 'Available')).toMatchObject({ type: 'radio', checked: true });
    expect(find(menu, 'Do not disturb')).toMatchObject({ type: 'radio', checked: false });
    // Offline non-favourites are not listed; the contact submenu offers both kinds of call.
    const alice = find(menu, 'Alice — Available');
    expect(alice.submenu?.map((i) => [i.label, i.enabled, i.action])).toEqual([
      ['Audio call', true, { kind: 'call', request: { userId: 'user-alice-0001', media: 'audio' } }],
      ['Video call', true, { kind: 'call', request: { userId: 'user-alice-0001', media: 'video' } }],
    ]);
  });

  it('ringing: Accept, Accept audio only and Decline come first, and calling others is off', () => {
    const menu = buildTrayMenu({ ...base, phase: 'ringing', caller: 'Dave' });
    expect(labels(menu).slice(0, 5)).toEqual(['Dave is calling', 'Accept', 'Accept audio only', 'Decline', '(separator)']);
    expect(find(menu, 'Accept').action).toEqual({ kind: 'call-action', action: { type: 'accept', video: true } });
    expect(find(menu, 'Accept audio only').action).toEqual({ kind: 'call-action', action: { type: 'accept', video: false } });
    expect(find(menu, 'Decline').action).toEqual({ kind: 'call-action', action: { type: 'decline' } });
    expect(find(menu, 'Alice — Available').submenu?.every((i) => i.enabled === false)).toBe(true);
  });

  it('in a call: Mute, camera, Hang up and Show call; labels follow the state', () => {
    const menu = buildTrayMenu({ ...base, phase: 'in_call', cameraOn: true });
    expect(labels(menu).slice(0, 6)).toEqual(['In a call', 'Mute', 'Turn camera off', 'Hang up', 'Show call', '(separator)']);
    expect(find(menu, 'Hang up').action).toEqual({ kind: 'call-action', action: { type: 'hangup' } });
    expect(find(menu, 'Show call').action).toEqual({ kind: 'call-action', action: { type: 'show-call' } });
    const sharing = buildTrayMenu({ ...base, phase: 'in_call', sharing: true });
    expect(find(sharing, 'Stop sharing').action).toEqual({ kind: 'call-action', action: { type: 'toggle-screen-share' } });
  });

  it('muted: offers Unmute and Turn camera on', () => {
    const menu = buildTrayMenu({ ...base, phase: 'in_call', muted: true, cameraOn: false });
    expect(find(menu, 'Unmute').action).toEqual({ kind: 'call-action', action: { type: 'toggle-mute' } });
    expect(find(menu, 'Turn camera on').action).toEqual({ kind: 'call-action', action: { type: 'toggle-camera' } });
    expect(menu.some((i) => i.label === 'Mute')).toBe(false);
  });

  it('do not disturb: the DND radio is checked and its action sets the status', () => {
    const menu = buildTrayMenu({ ...base, status: 'dnd' });
    expect(find(menu, 'Do not disturb')).toMatchObject({ checked: true });
    expect(find(menu, 'Available')).toMatchObject({ checked: false });
    expect(find(menu, 'Available').action).toEqual({
      kind: 'call-action',
      action: { type: 'set-status', status: 'available' },
    });
  });

  it('fifty contacts: favourites first, then online up to the cap, then "More… (open Parley)"', () => {
    const contacts = [
      ...Array.from({ length: 3 }, (_, i) => contact(`Fav ${i}`, i === 0 ? 'offline' : 'available', true)),
      ...Array.from({ length: 47 }, (_, i) => contact(`Person ${String(i).padStart(2, '0')}`, 'available')),
    ];
    const menu = buildTrayMenu({ ...base, contacts });
    const contactItems = menu.filter((i) => i.type === 'submenu');
    expect(contactItems).toHaveLength(12);
    expect(contactItems.slice(0, 3).map((i) => i.label)).toEqual(['Fav 1 — Available', 'Fav 2 — Available', 'Fav 0 — Offline']);
    expect(contactItems[3]?.label).toBe('Person 00 — Available');
    // An offline favourite is listed, but cannot be called.
    expect(contactItems[2]?.submenu?.every((i) => i.enabled === false)).toBe(true);
    expect(find(menu, 'More… (open Parley)').action).toEqual({ kind: 'show-window' });
  });

  it('shows names as typed: an ampersand is doubled so it is not a mnemonic, long names are cut', () => {
    expect(menuText('Tom & Jerry', 32)).toBe('Tom && Jerry');
    expect(menuText('A'.repeat(50), 10)).toBe(`${'A'.repeat(9)}…`);
  });

  it('before the first report: only Show Parley and Quit do anything', () => {
    const menu = buildTrayMenu(null);
    expect(menu.filter((i) => i.action !== undefined).map((i) => i.label)).toEqual(['Show Parley', 'Quit']);
  });

  it('picks the icon for each state', () => {
    expect(trayIconState(base)).toBe('idle');
    expect(trayIconState({ ...base, phase: 'ringing' })).toBe('ringing');
    expect(trayIconState({ ...base, phase: 'in_call' })).toBe('in-call');
    expect(trayIconState({ ...base, phase: 'in_call', muted: true })).toBe('muted');
    expect(trayIconState({ ...base, status: 'dnd' })).toBe('dnd');
    expect(trayIconState({ ...base, phase: 'offline' })).toBe('offline');
  });
});

class FakeTray implements TrayLike<MenuItemConstructorOptions[]> {
  image = '';
  toolTip = '';
  menu: MenuItemConstructorOptions[] | null = null;
  menusSet = 0;
  destroyed = false;
  clickListener: (() => void) | null = null;
  setImage(path: string): void {
    this.image = path;
  }
  setToolTip(text: string): void {
    this.toolTip = text;
  }
  setContextMenu(menu: MenuItemConstructorOptions[] | null): void {
    this.menu = menu;
    this.menusSet++;
  }
  on(_event: 'click', listener: () => void): this {
    this.clickListener = listener;
    return this;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

function click(menu: MenuItemConstructorOptions[] | null, ...path: string[]): void {
  let items = menu ?? [];
  let item: MenuItemConstructorOptions | undefined;
  for (const label of path) {
    item = items.find((i) => i.label === label);
    if (item === undefined) throw new Error(`no "${label}" in ${items.map((i) => i.label).join(' | ')}`);
    items = Array.isArray(item.submenu) ? item.submenu : [];
  }
  const handler = item?.click as (() => void) | undefined;
  if (handler === undefined) throw new Error(`"${path.join(' > ')}" has no click`);
  handler();
}

function traySetup() {
  const tray = new FakeTray();
  const clock = new ManualClock();
  const events = new RecordingEvents();
  const calls: string[] = [];
  const service = new TrayService({
    createTray: (icon) => {
      tray.image = icon;
      return tray;
    },
    buildMenu: (template) => template, // the "Menu" is the template itself, so tests can click it
    iconPath: (state) => `/icons/${state}.png`,
    events,
    showWindow: () => calls.push('show'),
    quit: () => calls.push('quit'),
    logger: silentLogger,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
  });
  return { tray, clock, events, calls, service };
}

describe('tray service', () => {
  it('rebuilds the menu and icon once after a burst of reports (debounced)', () => {
    const { tray, clock, service } = traySetup();
    expect(service.start()).toBe(true);
    const initialMenus = tray.menusSet;
    service.update(base);
    service.update({ ...base, phase: 'ringing', caller: 'Dave' });
    service.update({ ...base, phase: 'in_call', muted: true });
    expect(tray.menusSet).toBe(initialMenus);
    clock.advance(249);
    expect(tray.menusSet).toBe(initialMenus);
    clock.advance(1);
    expect(tray.menusSet).toBe(initialMenus + 1);
    expect(tray.image).toBe('/icons/muted.png');
    expect(tray.toolTip).toBe('Parley — in a call (muted)');
    // The same report again changes nothing.
    service.update({ ...base, phase: 'in_call', muted: true });
    clock.advance(250);
    expect(tray.menusSet).toBe(initialMenus + 1);
  });

  it('sets the icon for ringing, in a call, do not disturb and idle', () => {
    const { tray, clock, service } = traySetup();
    service.start();
    const expectIcon = (report: CallStateReport, icon: string): void => {
      service.update(report);
      clock.advance(250);
      expect(tray.image).toBe(icon);
    };
    expectIcon({ ...base, phase: 'ringing', caller: 'Dave' }, '/icons/ringing.png');
    expectIcon({ ...base, phase: 'in_call' }, '/icons/in-call.png');
    expectIcon({ ...base, status: 'dnd' }, '/icons/dnd.png');
    expectIcon(base, '/icons/idle.png');
  });

  it('turns clicks into bridge events for the window', () => {
    const { tray, clock, events, calls, service } = traySetup();
    service.start();
    service.update(base);
    clock.advance(250);
    click(tray.menu, 'Alice — Available', 'Video call');
    click(tray.menu, 'Do not disturb');
    service.update({ ...base, phase: 'ringing', caller: 'Dave' });
    clock.advance(250);
    click(tray.menu, 'Accept audio only');
    service.update({ ...base, phase: 'in_call' });
    clock.advance(250);
    click(tray.menu, 'Mute');
    click(tray.menu, 'Hang up');
    click(tray.menu, 'Show Parley');
    click(tray.menu, 'Quit');

    expect(events.sent).toEqual([
      { channel: EVENT_CHANNELS.callRequested, payload: { userId: 'user-alice-0001', media: 'video' } },
      { channel: EVENT_CHANNELS.callAction, payload: { type: 'set-status', status: 'dnd' } },
      { channel: EVENT_CHANNELS.callAction, payload: { type: 'accept', video: false } },
      { channel: EVENT_CHANNELS.callAction, payload: { type: 'toggle-mute' } },
      { channel: EVENT_CHANNELS.callAction, payload: { type: 'hangup' } },
    ]);
    // Calling and answering bring the window; muting and hanging up from the tray do not.
    expect(calls).toEqual(['show', 'show', 'show', 'quit']);
  });

  it('a left click on the tray icon shows the window', () => {
    const { tray, calls, service } = traySetup();
    service.start();
    tray.clickListener?.();
    expect(calls).toEqual(['show']);
  });

  it('without a system tray the service says so and ignores reports', () => {
    const { logger, lines } = recordingLogger();
    const service = new TrayService({
      createTray: () => {
        throw new Error('no tray on this desktop');
      },
      buildMenu: (template) => template,
      iconPath: (state) => state,
      events: new RecordingEvents(),
      showWindow: () => undefined,
      quit: () => undefined,
      logger,
    });
    expect(service.start()).toBe(false);
    expect(service.available).toBe(false);
    service.update(base); // must not throw
    expect(lines().some((l) => String(l.msg).includes('no system tray'))).toBe(true);
  });

  it('dispose destroys the tray and cancels a pending rebuild', () => {
    const { tray, clock, service } = traySetup();
    service.start();
    service.update(base);
    service.dispose();
    expect(tray.destroyed).toBe(true);
    expect(clock.pending).toBe(0);
  });
});
