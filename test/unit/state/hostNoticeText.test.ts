/** Host notices said in the UI's language (renderer/state/hostNoticeText.ts), and in English exactly as the host words them. */
import { afterAll, describe, expect, it } from 'vitest';
import { legacyNotice } from '../../../preload/hostData';
import { hostNoticeSchema } from '../../../preload/contract';
import { applyLanguageChoice, i18n } from '../../../renderer/i18n';
import { hostNoticeText } from '../../../renderer/state/hostNoticeText';

afterAll(async () => {
  await i18n.changeLanguage('en');
});

const legacy = (favourites: number, blocked: number, history: boolean) =>
  hostNoticeSchema.parse({ level: 'info', message: legacyNotice(favourites, blocked, history), about: { kind: 'legacyContacts', favourites, blocked, history } });

describe('hostNoticeText', () => {
  it('in English says what the host wrote, for every mix of moved lists and history', async () => {
    await applyLanguageChoice('en');
    for (const [favourites, blocked, history] of [
      [1, 2, true],
      [1, 1, false],
      [3, 0, true],
      [0, 1, false],
      [0, 0, true],
      [21, 5, true],
    ] as const) {
      const notice = legacy(favourites, blocked, history);
      expect(hostNoticeText(notice)).toBe(notice.message);
    }
  });

  it('in Russian is Russian, with the counts in their plural forms', async () => {
    expect(await applyLanguageChoice('ru')).toBe('ru');
    const text = hostNoticeText(legacy(1, 2, true));
    expect(text).toContain('Теперь Parley подтверждает');
    expect(text).toContain('Прежние контакты: 1 избранный и 2 заблокированных.');
    expect(text).toContain('История звонков сохранена');
    // No English left but the app's name.
    expect(text.replaceAll('Parley', '')).not.toMatch(/[A-Za-z]{3,}/u);
    expect(hostNoticeText(legacy(5, 0, false))).toContain('Прежние контакты: 5 избранных.');
  });

  it('a notice about nothing it knows is shown as the host wrote it', () => {
    expect(hostNoticeText({ level: 'warning', message: 'The shortcut Ctrl+M is taken.' })).toBe('The shortcut Ctrl+M is taken.');
  });

  it('the contract refuses an `about` it does not know or with impossible counts', () => {
    expect(hostNoticeSchema.safeParse({ level: 'info', message: 'x', about: { kind: 'somethingElse' } }).success).toBe(false);
    expect(hostNoticeSchema.safeParse({ level: 'info', message: 'x', about: { kind: 'legacyContacts', favourites: -1, blocked: 0, history: true } }).success).toBe(false);
  });
});
