/**
 * One whole call in Russian (issue 16.1): both browsers run with the ru-RU locale, so
 * Parley follows it with no setting touched — the contact list, Settings, ring, answer,
 * a chat message, a file sent and received, hang up, the call-ended card and the
 * history all in Russian, with a Russian plural form ("1 непрочитанное"). The words
 * are written out here, not read from ru.json, so a wrong or missing translation fails.
 *
 * At every step, `expectNoEnglish` reads what each person can see (the page's
 * innerText and the title, aria-label and placeholder of visible elements) and fails
 * on any word of three or more Latin letters that is not on ALLOWED_LATIN.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SCENARIO_MS, useChromium, visible, type Person } from './harness';

const chromium = useChromium();

/**
 * Latin words a Russian screen may show, each for a reason:
 * - the people's own names, which the test chose: Alice, Bob;
 * - the product's name: Parley, and its server program's: parley-server;
 * - protocol and format names Russian writes in Latin too, shown in Settings → Server
 *   and in the file's name: STUN, TURN, SHA (SHA-256), TLS, DTLS-SRTP (the encryption tip in
 *   a call), http/https (addresses and
 *   the "https://" the server hints name), txt (the test's file is заметки.txt);
 * - the language switch names English in English, as language pickers do: English;
 * - key names in shortcut hints (tooltips, the shortcuts sheet), as printed on Russian keyboards
 *   too: Ctrl, Shift, Alt, Esc, Enter, Space, Tab, Super;
 * - the fake camera and microphone Chromium gives the test (device names come from the
 *   system, never translated): Fake, Default, Audio, Input, Output, Video, Device, fake_device…
 */
const ALLOWED_LATIN = new Set([
  'Alice',
  'Bob',
  'Parley',
  'parley-server',
  'STUN',
  'TURN',
  'SHA',
  'TLS',
  'DTLS-SRTP',
  'http',
  'https',
  'txt',
  'English',
  'Ctrl',
  'Shift',
  'Alt',
  'Esc',
  'Enter',
  'Space',
  'Tab',
  'Super',
  'Fake',
  'Default',
  'Audio',
  'Input',
  'Output',
  'Video',
  'Device',
  'fake',
  'device',
]);

/** Latin words of 3+ letters each page shows that are not allowed; <code> (ids, fingerprints, addresses) is left out. */
async function englishOn(page: Page): Promise<string[]> {
  const words = await page.evaluate(() => {
    let text = `${document.title}\n${document.body.innerText}`;
    // Ids, codes and fingerprints are shown in <code>: letters there are data, not words.
    for (const code of document.body.querySelectorAll('code')) {
      const shown = (code as HTMLElement).innerText;
      if (shown) text = text.split(shown).join(' ');
    }
    for (const element of document.body.querySelectorAll('[title], [aria-label], [placeholder]')) {
      if (!element.checkVisibility()) continue;
      for (const name of ['title', 'aria-label', 'placeholder']) text += `\n${element.getAttribute(name) ?? ''}`;
    }
    // Hyphenated names stay whole (parley-server); "SHA-256" reads as SHA.
    return (text.match(/[A-Za-z_]+(?:-[A-Za-z_]+)*/g) ?? []).filter((word) => word.replace(/[-_]/g, '').length >= 3);
  });
  return [...new Set(words)].filter((word) => !ALLOWED_LATIN.has(word) && !/^fake_device/.test(word));
}

async function expectNoEnglish(people: readonly Person[], step: string): Promise<void> {
  for (const person of people) {
    const english = await englishOn(person.page);
    expect(english, `English on ${person.name}'s screen (${step})`).toEqual([]);
  }
}

describe('a call in Russian', () => {
  it(
    'rings, answers, chats, hangs up and lists the call in Russian',
    async () => {
      const stage = await chromium.stage();
      const alice = await stage.openPerson('Alice', { locale: 'ru-RU' });
      const bob = await stage.openPerson('Bob', { locale: 'ru-RU' });
      for (const person of [alice, bob]) {
        expect(await person.page.evaluate(() => document.documentElement.lang)).toBe('ru');
        await visible(person.page.getByRole('tab', { name: 'Контакты' }));
      }

      // The contact list: each sees the other with a status in Russian (row text and the avatar dot's title).
      await visible(alice.page.getByRole('listitem').filter({ hasText: 'Bob' }).getByText('На связи', { exact: true }));
      await visible(alice.page.locator('.presence-dot[title="На связи"]').first());
      await expectNoEnglish([alice, bob], 'the contact list');

      // Settings, every section (one scrolling dialog).
      await alice.page.getByRole('button', { name: 'Настройки' }).click();
      const settings = alice.page.getByRole('dialog', { name: 'Настройки' });
      await visible(settings);
      await expectNoEnglish([alice], 'Settings');
      await settings.getByRole('button', { name: 'Закрыть' }).first().click();
      await settings.waitFor({ state: 'detached' });

      // Ring.
      await alice.page.getByRole('button', { name: 'Видеозвонок: Bob', exact: true }).click();
      await visible(alice.main.getByRole('heading', { name: 'Звоним: Bob…' }));
      await visible(bob.main.getByText('Входящий видеозвонок', { exact: true }));
      await visible(bob.main.getByRole('button', { name: 'Отклонить', exact: true }));
      await visible(bob.main.getByRole('button', { name: 'Принять без видео' }));
      await expectNoEnglish([alice, bob], 'ringing');

      // Answer.
      await bob.main.getByRole('button', { name: 'Принять', exact: true }).click();
      for (const person of [alice, bob]) {
        const call = person.main.getByRole('region', { name: 'Звонок', exact: true });
        await visible(call);
        await visible(call.getByText('Видеозвонок', { exact: false }).first());
        await visible(call.getByRole('toolbar', { name: 'Управление звонком' }));
      }
      await expectNoEnglish([alice, bob], 'in the call');

      // A chat message: Bob's chat button counts it with Russian's plural form for 1.
      const aliceControls = alice.main.getByRole('toolbar', { name: 'Управление звонком' });
      await aliceControls.getByRole('button', { name: 'Чат', exact: true }).click();
      const aliceChat = alice.main.getByRole('complementary', { name: 'Чат' });
      await aliceChat.getByRole('textbox', { name: 'Сообщение' }).fill('Привет, Боб!');
      await aliceChat.getByRole('button', { name: 'Отправить сообщение' }).click();
      await visible(aliceChat.getByText('Вы', { exact: true }));
      const bobControls = bob.main.getByRole('toolbar', { name: 'Управление звонком' });
      await visible(bobControls.getByRole('button', { name: 'Чат, 1 непрочитанное' }));
      await bobControls.getByRole('button', { name: 'Чат, 1 непрочитанное' }).click();
      const bobChat = bob.main.getByRole('complementary', { name: 'Чат' });
      await visible(bobChat.getByText('Привет, Боб!'));
      await expectNoEnglish([alice, bob], 'the chat');

      // A file: offered to Bob in Russian, accepted, received and checked.
      await alice.page.getByTestId('file-input').setInputFiles({ name: 'заметки.txt', mimeType: 'text/plain', buffer: Buffer.from('Заметки Parley\n') });
      await visible(bob.main.getByText(/^Alice хочет отправить вам этот файл \(\d+ байт[а]?\)\./));
      await expectNoEnglish([alice, bob], 'a file offered');
      await bob.main.getByRole('button', { name: 'Принять заметки.txt' }).click();
      await visible(bob.main.getByText('Получено, контрольная сумма совпала'));
      await visible(alice.main.getByText('Доставлено получателю (Bob), контрольная сумма совпала'));
      await expectNoEnglish([alice, bob], 'a file received');

      // Hang up: both see the call-ended card in Russian.
      await aliceControls.getByRole('button', { name: 'Завершить', exact: true }).click();
      for (const person of [alice, bob]) {
        await visible(person.main.getByRole('heading', { name: /^Звонок завершён · \d+:\d\d$/ }));
      }
      await visible(alice.main.getByText(/^Закроется через \d с$|^Закроется, когда вы закончите$/));
      await visible(bob.main.getByText('С собеседником: Alice'));
      await expectNoEnglish([alice, bob], 'the call-ended card');
      await alice.main.getByRole('button', { name: 'Закрыть', exact: true }).click();

      // History.
      await alice.page.getByRole('tab', { name: 'История' }).click();
      const aliceHistory = alice.page.getByRole('tabpanel');
      await visible(aliceHistory.getByRole('heading', { name: 'Недавние' }));
      await visible(aliceHistory.getByText(/^Исходящий видеозвонок · \d+:\d\d$/));
      await visible(aliceHistory.getByRole('button', { name: 'Перезвонить: Bob' }));
      await bob.page.getByRole('tab', { name: 'История' }).click();
      await visible(bob.page.getByRole('tabpanel').getByText(/^Входящий видеозвонок · \d+:\d\d$/));
      await visible(bob.page.getByRole('tabpanel').getByRole('button', { name: 'Очистить историю' }));
      await expectNoEnglish([alice, bob], 'the history');
    },
    SCENARIO_MS,
  );
  it('switches language in Settings at once, without a reload: every label follows, and back', { timeout: SCENARIO_MS }, async () => {
    const stage = await chromium.stage();
    const alice = await stage.openPerson('Alice');
    const page = alice.page;
    await visible(page.getByRole('tab', { name: 'History' }));
    // The same document all along: a reload would lose this mark.
    await page.evaluate(() => ((window as { __sameDocument?: boolean }).__sameDocument = true));
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByLabel('Language of Parley').selectOption('ru');
    // The dialog, the tabs behind it and the header, rendered by different components, all speak Russian.
    const russian = page.getByRole('dialog', { name: 'Настройки' });
    await visible(russian.getByLabel('Язык Parley'));
    await visible(page.getByRole('tab', { name: 'История', includeHidden: true }));
    await expectNoEnglish([alice], 'after switching to Russian in Settings');
    await russian.getByLabel('Язык Parley').selectOption('en');
    await visible(settings.getByLabel('Language of Parley'));
    await visible(page.getByRole('tab', { name: 'History', includeHidden: true }));
    expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  });
});
