/**
 * Main speaks the person's language (issue 16.1): the tray menu and tooltip and the
 * incoming-call notification follow settings.language ('system' → the OS's languages,
 * injected here), and a change rebuilds the tray menu at once.
 */
import type { MenuItemConstructorOptions, NotificationConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import type { IncomingCallNotice, LanguageChoice, TrayContact } from '../../preload/contract';
import { MainLocale, mainText, pickMainLanguage } from '../../main/i18n';
import { IncomingCallService } from '../../main/notifications/incomingCall';
import { TrayService, type TrayLike } from '../../main/tray/trayService';
import en from '../../renderer/i18n/locales/en.json';
import ru from '../../renderer/i18n/locales/ru.json';
import { callStateReport } from '../support/callStateReport';
import { ManualClock, RecordingEvents, RecordingWindow, silentLogger } from './fakes';

class FakeTray implements TrayLike<MenuItemConstructorOptions[]> {
  toolTip = '';
  menu: MenuItemConstructorOptions[] | null = null;
  menusSet = 0;
  setImage(): void {}
  setToolTip(text: string): void {
    this.toolTip = text;
  }
  setContextMenu(menu: MenuItemConstructorOptions[] | null): void {
    this.menu = menu;
    this.menusSet++;
  }
  on(): this {
    return this;
  }
  destroy(): void {}
}

const labels = (menu: MenuItemConstructorOptions[] | null): string[] =>
  (menu ?? []).map((item) => item.label ?? `(${item.type ?? 'normal'})`);
const submenuLabels = (menu: MenuItemConstructorOptions[] | null, label: string): string[] => {
  const item = (menu ?? []).find((i) => i.label === label);
  if (item === undefined || !Array.isArray(item.submenu)) throw new Error(`no submenu "${label}" in ${labels(menu).join(' | ')}`);
  return labels(item.submenu);
};

const alice: TrayContact = { userId: 'user-alice-0001', displayName: 'Alice', status: 'available', favourite: true };
const report = callStateReport({ contacts: [alice] });

function setup(choice: LanguageChoice, system: string[]) {
  const os = { languages: system };
  const locale = new MainLocale({ choice, systemLanguages: () => os.languages });
  const tray = new FakeTray();
  const clock = new ManualClock();
  const service = new TrayService({
    createTray: () => tray,
    buildMenu: (template) => template,
    iconPath: (state) => `/icons/${state}.png`,
    events: new RecordingEvents(),
    showWindow: () => undefined,
    quit: () => undefined,
    logger: silentLogger,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    text: locale.text,
  });
  locale.onChange(() => service.relabel());
  expect(service.start()).toBe(true);
  service.update(report);
  clock.advance(1000);
  return { os, locale, tray, service, clock };
}

describe('main process language', () => {
  it('the tray menu and tooltip are in Russian when settings.language is ru, whatever the OS speaks', () => {
    const { tray, locale } = setup('ru', ['en-US']);
    expect(locale.language).toBe('ru');
    expect(labels(tray.menu)).toEqual([
      'На связи',
      'Отошёл',
      'Не беспокоить',
      '(separator)',
      'Избранное',
      'Alice — На связи',
      '(separator)',
      'Открыть Parley',
      'Выйти',
    ]);
    expect(submenuLabels(tray.menu, 'Alice — На связи')).toEqual(['Аудиозвонок', 'Видеозвонок']);
    expect(tray.toolTip).toBe('Parley');
  });

  it("'system' follows the OS's languages: Russian for ru-RU, English for a language Parley does not speak", () => {
    expect(labels(setup('system', ['ru-RU', 'en-US']).tray.menu)).toContain('Открыть Parley');
    const german = setup('system', ['de-DE', 'en-GB']);
    expect(german.locale.language).toBe('en');
    expect(labels(german.tray.menu)).toEqual([
      'Available',
      'Away',
      'Do not disturb',
      '(separator)',
      'Favourites',
      'Alice — Available',
      '(separator)',
      'Show Parley',
      'Quit',
    ]);
    expect(pickMainLanguage([])).toBe('en');
    expect(pickMainLanguage(['RU_ru'])).toBe('ru');
  });

  it('a change of settings.language rebuilds the tray menu at once, without waiting for a report', () => {
    const { tray, locale, service, clock } = setup('en', ['en-US']);
    service.update({ ...report, phase: 'ringing', caller: 'Dave' });
    clock.advance(1000);
    expect(labels(tray.menu).slice(0, 4)).toEqual(['Dave is calling', 'Accept', 'Accept audio only', 'Decline']);
    expect(tray.toolTip).toBe('Parley — Dave is calling');
    const before = tray.menusSet;

    locale.set('ru');
    expect(tray.menusSet).toBe(before + 1); // no clock advance: at once
    expect(labels(tray.menu).slice(0, 4)).toEqual(['Вам звонит Dave', 'Принять', 'Принять без видео', 'Отклонить']);
    expect(tray.toolTip).toBe('Parley — вам звонит Dave');

    // The same language again (ru → system on a Russian OS would too) does not rebuild.
    locale.set('ru');
    expect(tray.menusSet).toBe(before + 1);

    locale.set('system'); // the OS speaks English
    expect(tray.menusSet).toBe(before + 2);
    expect(labels(tray.menu)[0]).toBe('Dave is calling');
  });

  it("'system' picks up an OS language change at the next settings change (refresh)", () => {
    const { tray, locale, os } = setup('system', ['en-US']);
    os.languages = ['ru'];
    locale.refresh();
    expect(labels(tray.menu)).toContain('Выйти');
  });

  it('the incoming-call notification is in Russian: title, body and buttons', () => {
    const locale = new MainLocale({ choice: 'ru', systemLanguages: () => ['en-US'] });
    const shown: NotificationConstructorOptions[] = [];
    const service = new IncomingCallService({
      isSupported: () => true,
      createNotification: (options) => {
        shown.push(options);
        return { show: () => undefined, close: () => undefined };
      },
      window: new RecordingWindow(),
      events: new RecordingEvents(),
      platform: 'win32',
      logger: silentLogger,
      text: locale.text,
    });
    const notice: IncomingCallNotice = { callId: 'call-abcdefgh', callerName: 'Ада', media: 'video' };
    service.show(notice);
    expect(shown[0]).toMatchObject({
      title: 'Входящий видеозвонок',
      body: 'Вам звонит Ада',
      actions: [
        { type: 'button', text: 'Принять' },
        { type: 'button', text: 'Отклонить' },
      ],
      closeButtonText: 'Не отвечать',
    });
    locale.set('en');
    service.show({ ...notice, callId: 'call-ijklmnop', media: 'audio' });
    expect(shown[1]).toMatchObject({ title: 'Incoming call', body: 'Ада is calling you' });
  });

  it('reads the locale files: every tray/notification/dialog string comes from en.json and ru.json', () => {
    for (const [language, tree] of [['en', en], ['ru', ru]] as const) {
      const t = mainText(language);
      for (const group of ['tray', 'notification', 'mainDialogs'] as const) {
        for (const [name, value] of Object.entries(tree[group])) {
          expect(t(`${group}.${name}` as Parameters<typeof t>[0])).toBe(value);
        }
      }
    }
    expect(mainText('ru')('mainDialogs.startFailed')).toBe('Не удалось запустить Parley');
  });
});
