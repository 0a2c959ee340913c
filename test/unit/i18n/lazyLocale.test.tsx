/**
 * Only English is bundled (issue 16.8, renderer/i18n): Russian's strings are a chunk of
 * their own, loaded when Russian is picked — at start before the first render
 * (main.tsx: the system language), and on a change in Settings (App: applyLanguageChoice).
 * A load that fails leaves the UI in English, logs why, says so to the caller, and is
 * tried again on the next pick.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import en from '../../../renderer/i18n/locales/en.json';
import ru from '../../../renderer/i18n/locales/ru.json';
import type { LogEntry } from '../../../preload/contract';
import type * as I18nModuleNs from '../../../renderer/i18n';

type I18nModule = typeof I18nModuleNs;

/** A fresh copy of the i18n module (its own i18next instance, nothing loaded yet). */
async function freshI18n(): Promise<I18nModule> {
  vi.resetModules();
  return import('../../../renderer/i18n');
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.doUnmock('../../../renderer/i18n/locales/ru.json');
  vi.resetModules();
});

describe('the Russian strings, loaded when Russian is picked', () => {
  it('are not there at start; a switch to Russian loads them and the UI speaks Russian', async () => {
    const { i18n, t, applyLanguageChoice, currentLanguage } = await freshI18n();
    expect(i18n.hasResourceBundle('en', 'translation')).toBe(true);
    expect(i18n.hasResourceBundle('ru', 'translation')).toBe(false);
    expect(t('app.tryAgain')).toBe(en.app.tryAgain);

    await expect(applyLanguageChoice('ru')).resolves.toBe('ru');
    expect(i18n.hasResourceBundle('ru', 'translation')).toBe(true);
    expect(currentLanguage()).toBe('ru');
    expect(t('app.tryAgain')).toBe(ru.app.tryAgain);
    expect(t('call.chatUnread', { count: 5 })).toBe('Чат, 5 непрочитанных');

    // And back, without loading anything.
    await expect(applyLanguageChoice('en')).resolves.toBe('en');
    expect(t('app.tryAgain')).toBe(en.app.tryAgain);
  });

  it('first render for a Russian system, started as main.tsx starts, is Russian', async () => {
    vi.stubGlobal('navigator', { languages: ['ru-RU', 'en-US'] });
    const { applyLanguageChoice } = await freshI18n();
    const { FirstRun } = await import('../../../renderer/ui/FirstRun');
    // main.tsx: the system language, then the first render.
    await applyLanguageChoice('system');
    const html = renderToStaticMarkup(<FirstRun initialName="" serverLabel="example.org" onSubmit={async () => undefined} />);
    expect(html).toContain(ru.firstRun.welcome);
    expect(html).not.toContain(en.firstRun.welcome);
  });

  it('the last choice wins over a slower load of an earlier one', async () => {
    const { t, applyLanguageChoice, currentLanguage } = await freshI18n();
    const toRussian = applyLanguageChoice('ru');
    const toEnglish = applyLanguageChoice('en');
    await Promise.all([toRussian, toEnglish]);
    expect(currentLanguage()).toBe('en');
    expect(t('app.tryAgain')).toBe(en.app.tryAgain);
  });
});

describe('Russian strings that fail to load', () => {
  let lines: LogEntry[] = [];
  beforeEach(() => {
    lines = [];
  });

  it('leave the UI in English, log why, say so, and load on the next pick', async () => {
    let failures = 1;
    vi.doMock('../../../renderer/i18n/locales/ru.json', async (importOriginal) => {
      if (failures-- > 0) throw new Error('chunk ru-1234.js: net::ERR_CONNECTION_REFUSED');
      return importOriginal();
    });
    const { i18n, t, applyLanguageChoice, currentLanguage } = await freshI18n();
    // The log module the fresh i18n module uses (freshI18n reset the modules).
    const { setLogSink } = await import('../../../renderer/log');
    const restore = setLogSink((entry) => lines.push(entry));
    try {
      await expect(applyLanguageChoice('ru')).resolves.toBe('en');
      expect(currentLanguage()).toBe('en');
      expect(t('app.tryAgain')).toBe(en.app.tryAgain);
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 'error', scope: expect.stringContaining('i18n'), message: expect.stringContaining('ru strings did not load') }),
      );

      await expect(applyLanguageChoice('ru')).resolves.toBe('ru');
      expect(i18n.hasResourceBundle('ru', 'translation')).toBe(true);
      expect(t('app.tryAgain')).toBe(ru.app.tryAgain);
    } finally {
      restore();
    }
  });
});
