/**
 * One whole call in Russian (issue 16.1): both browsers run with the ru-RU locale, so
 * Parley follows it with no setting touched — ring, answer, a chat message, hang up,
 * the call-ended card and the history all in Russian, with a Russian plural form
 * ("1 непрочитанное"). The words are written out here, not read from ru.json, so a
 * wrong or missing translation fails.
 */
import { describe, expect, it } from 'vitest';
import { SCENARIO_MS, useChromium, visible } from './harness';

const chromium = useChromium();

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

      // Ring.
      await alice.page.getByRole('button', { name: 'Видеозвонок: Bob', exact: true }).click();
      await visible(alice.main.getByRole('heading', { name: 'Звоним: Bob…' }));
      await visible(bob.main.getByText('Входящий видеозвонок', { exact: true }));
      await visible(bob.main.getByRole('button', { name: 'Отклонить', exact: true }));
      await visible(bob.main.getByRole('button', { name: 'Принять без видео' }));

      // Answer.
      await bob.main.getByRole('button', { name: 'Принять', exact: true }).click();
      for (const person of [alice, bob]) {
        const call = person.main.getByRole('region', { name: 'Звонок', exact: true });
        await visible(call);
        await visible(call.getByText('Видеозвонок', { exact: false }).first());
        await visible(call.getByRole('toolbar', { name: 'Управление звонком' }));
      }

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

      // Hang up: both see the call-ended card in Russian.
      await aliceControls.getByRole('button', { name: 'Завершить', exact: true }).click();
      for (const person of [alice, bob]) {
        await visible(person.main.getByRole('heading', { name: /^Звонок завершён · \d+:\d\d$/ }));
      }
      await visible(alice.main.getByText(/^Закроется через \d с$|^Закроется, когда вы закончите$/));
      await visible(bob.main.getByText('С собеседником: Alice'));
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
    },
    SCENARIO_MS,
  );
});
