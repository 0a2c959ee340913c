/** Server refusals on screen (issue 16.1): said per code in the UI's language, the server's English only in the log. */
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../signaling-server/protocol';
import en from '../../../renderer/i18n/locales/en.json';
import { i18n } from '../../../renderer/i18n';
import { RequestError } from '../../../renderer/signaling/client';
import { isServerError, serverErrorText } from '../../../renderer/state/serverErrorText';

describe('a server refusal on screen', () => {
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('has its own sentence for every code the protocol has, and for the client’s timeout and offline', () => {
    const worded = new Set(Object.keys(en.serverErrors));
    for (const code of [...ERROR_CODES, 'timeout', 'offline']) expect(worded.has(code), code).toBe(true);
  });

  it('says the code in Russian, not the server’s English', async () => {
    await i18n.changeLanguage('ru');
    expect(serverErrorText(new RequestError('directory_off', 'This server has no directory. Add people with their invite link or code instead.'))).toBe(
      'На этом сервере нет каталога пользователей. Добавляйте людей по их ссылке-приглашению или коду.',
    );
    expect(serverErrorText(new RequestError('call_refused', 'Alice is not taking calls from you right now.'))).toBe(
      'Собеседник сейчас не принимает ваши звонки.',
    );
    // A cooldown keeps its wait.
    expect(serverErrorText(new RequestError('rate_limited', 'You have started too many calls in a short time. Try again in 42 s.'))).toBe(
      'Сервер на время придерживает ваши запросы. Попробуйте снова через 42 с.',
    );
    expect(serverErrorText(new RequestError('rate_limited', 'Too many requests.'))).toBe(
      'Сервер на время придерживает ваши запросы. Подождите немного и попробуйте снова.',
    );
  });

  it('keeps the words of an error that is not a known refusal', () => {
    const newer = new RequestError('internal', 'x');
    expect(isServerError(newer)).toBe(true);
    // A code from a newer server (the type says it cannot happen; a cast stands in for it).
    const unknown = new RequestError('from_the_future' as never, 'The server says something new.');
    expect(isServerError(unknown)).toBe(false);
    expect(serverErrorText(unknown)).toBe('The server says something new.');
    expect(serverErrorText(new Error('disk full'))).toBe('disk full');
    expect(serverErrorText('plain')).toBe('plain');
  });
});
