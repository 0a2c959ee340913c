/**
 * t() remembers the strings it made (renderer/i18n: i18next builds each anew, and the
 * call screen asks for the same few on every render). What it remembers must never
 * show a string that is no longer right: after a language switch, after strings are
 * added, for every count, and for options that are not plain values.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import en from '../../../renderer/i18n/locales/en.json';
import ru from '../../../renderer/i18n/locales/ru.json';
import type * as I18nModuleNs from '../../../renderer/i18n';

async function freshI18n(): Promise<typeof I18nModuleNs> {
  vi.resetModules();
  return import('../../../renderer/i18n');
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

describe('t(), remembering its strings', () => {
  it('makes a string once, then gives it back without asking i18next', async () => {
    const { i18n, t } = await freshI18n();
    const made = vi.spyOn(i18n, 't');
    for (let i = 0; i < 5; i++) expect(t('app.tryAgain')).toBe(en.app.tryAgain);
    expect(made).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 5; i++) expect(t('shortcuts.tooltip', { label: 'Mute', keys: 'Ctrl+Shift+M' })).toContain('Ctrl+Shift+M');
    expect(made).toHaveBeenCalledTimes(2);
  });

  it('gives each count its own plural and each value its own string', async () => {
    const { t } = await freshI18n();
    expect(t('call.chatUnread', { count: 1 })).toBe('Chat, 1 unread');
    expect(t('call.chatUnread', { count: 5 })).toBe('Chat, 5 unread');
    expect(t('call.chatUnread', { count: 1 })).toBe('Chat, 1 unread');
    expect(t('shortcuts.tooltip', { label: 'A', keys: 'K' })).not.toBe(t('shortcuts.tooltip', { label: 'B', keys: 'K' }));
  });

  it('speaks the new language at once after a switch, and English again after switching back', async () => {
    const { t, applyLanguageChoice } = await freshI18n();
    expect(t('app.tryAgain')).toBe(en.app.tryAgain);
    await applyLanguageChoice('ru');
    expect(t('app.tryAgain')).toBe(ru.app.tryAgain);
    expect(t('call.chatUnread', { count: 5 })).toBe('Чат, 5 непрочитанных');
    await applyLanguageChoice('en');
    expect(t('app.tryAgain')).toBe(en.app.tryAgain);
  });

  it('forgets what it made when strings are added to the language in force', async () => {
    const { i18n, t } = await freshI18n();
    expect(t('app.tryAgain')).toBe(en.app.tryAgain);
    i18n.addResourceBundle('en', 'translation', { app: { tryAgain: 'Once more' } }, true, true);
    expect(t('app.tryAgain')).toBe('Once more');
  });

  it('asks i18next every time when an option is not a plain value', async () => {
    const { i18n, t } = await freshI18n();
    const made = vi.spyOn(i18n, 't');
    const options = { label: 'Mute', keys: 'K', extra: { nested: true } };
    t('shortcuts.tooltip', options as never);
    t('shortcuts.tooltip', options as never);
    expect(made).toHaveBeenCalledTimes(2);
  });
});
