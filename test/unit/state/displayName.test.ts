import { afterEach, describe, expect, it } from 'vitest';
import { displayNameSchema } from '../../../signaling-server/protocol';
import { i18n } from '../../../renderer/i18n';
import { checkDisplayName, protocolRefusalKey } from '../../../renderer/state/displayName';

describe('display name validation', () => {
  it('accepts names the protocol accepts, trimmed and with single spaces', () => {
    expect(checkDisplayName('  Ada   Lovelace ')).toEqual({ ok: true, name: 'Ada Lovelace' });
    expect(checkDisplayName("Zoë O'Brien-Smith (work)")).toEqual({ ok: true, name: "Zoë O'Brien-Smith (work)" });
    expect(checkDisplayName('Мария 2')).toEqual({ ok: true, name: 'Мария 2' });
  });

  it('asks for a name when it is empty or only spaces', () => {
    for (const raw of ['', '    ']) {
      expect(checkDisplayName(raw)).toEqual({ ok: false, message: 'Enter a name so people know who is calling.' });
    }
  });

  it('says how long the name is when it is too long', () => {
    expect(checkDisplayName('a'.repeat(41))).toEqual({
      ok: false,
      message: 'Use at most 40 characters — this name has 41.',
    });
  });

  it('names the characters that are not allowed', () => {
    expect(checkDisplayName('bob@example.com')).toEqual({
      ok: false,
      message: "Remove “@”: a name may hold letters, digits, spaces and . ' _ ( ) - only.",
    });
    expect(checkDisplayName('<b>Bob</b>!')).toMatchObject({ ok: false, message: expect.stringContaining('“<”, “>”, “/”, “!”') });
  });

  it('refuses names that are blank or invisible, or spill accents over their neighbours, in the protocol’s words', () => {
    expect(checkDisplayName('\u3164')).toEqual({
      ok: false,
      message: 'The display name holds invisible characters (fillers or variation selectors). Type a name people can read.',
    });
    expect(checkDisplayName('Bob\uFE0F')).toMatchObject({ ok: false, message: expect.stringContaining('invisible characters') });
    expect(checkDisplayName('\u0301\u0301')).toMatchObject({
      ok: false,
      message: expect.stringContaining('needs at least one visible letter or digit'),
    });
    expect(checkDisplayName('Zx\u0301\u0302\u0303\u0304d')).toMatchObject({
      ok: false,
      message: expect.stringContaining('stacks more than 3 accents'),
    });
  });

  it('names invisible characters by code point, so a disguised name is explained', () => {
    // U+202E RIGHT-TO-LEFT OVERRIDE would make the name read backwards in a roster.
    expect(checkDisplayName('Bob\u202Etxt')).toMatchObject({ ok: false, message: expect.stringContaining('U+202E') });
  });
});

describe('display name refusals in Russian (issue 16.1)', () => {
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('says every refusal in Russian', async () => {
    await i18n.changeLanguage('ru');
    expect(checkDisplayName('  ')).toEqual({ ok: false, message: 'Введите имя, чтобы люди знали, кто звонит.' });
    expect(checkDisplayName('a'.repeat(41))).toEqual({ ok: false, message: 'Не больше 40 символов — в этом имени 41.' });
    expect(checkDisplayName('bob@x')).toEqual({
      ok: false,
      message: "Уберите «@»: в имени могут быть только буквы, цифры, пробелы и . ' _ ( ) -",
    });
    expect(checkDisplayName('\u3164')).toMatchObject({ ok: false, message: expect.stringMatching(/^В имени есть невидимые символы/) });
    expect(checkDisplayName('\u0301\u0301')).toMatchObject({ ok: false, message: expect.stringMatching(/^В имени должна быть хотя бы одна видимая/) });
    expect(checkDisplayName('Zx\u0301\u0302\u0303\u0304d')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^В имени на одном символе больше 3 диакритических знаков/),
    });
  });

  it('has its own wording for every refusal the protocol makes after the character check', () => {
    // If the protocol's messages change, these land on the general sentence and this fails.
    for (const name of ['\u3164', 'Bob\uFE0F', '\u0301\u0301', 'Zx\u0301\u0302\u0303\u0304d']) {
      const parsed = displayNameSchema.safeParse(name);
      expect(parsed.success, name).toBe(false);
      expect(protocolRefusalKey(parsed.error?.issues[0]?.message), name).not.toBe('displayName.unusable');
    }
    expect(protocolRefusalKey('something new')).toBe('displayName.unusable');
  });
});
