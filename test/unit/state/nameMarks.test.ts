import { afterEach, describe, expect, it } from 'vitest';
import { i18n } from '../../../renderer/i18n';
import { describeMark, markNames, mixedScripts, nameSkeleton, scriptName } from '../../../renderer/state/nameMarks';

const person = (userId: string, displayName: string) => ({ userId, displayName });

describe('names that read the same', () => {
  it.each([
    ['Alice', 'alice'],
    ['Alice', '  ALICE '],
    ['Ada  Lovelace', 'Ada Lovelace'],
    ['Alice', '\u0410lice'], // Cyrillic А
    ['Paypal', '\u0420\u0430ypal'], // Cyrillic Р and а
    ['NIKO', '\u039D\u0399\u039A\u039F'], // Greek capitals
    ['Ian', 'lan'], // capital I and small L
    ['Bob', 'B0b'],
    ['Kim', 'Kirn'],
    ['Ｍａｒｉｅ', 'Marie'], // fullwidth letters (NFKC)
    ['José', 'Jose\u0301'], // composed and decomposed é (NFC)
  ])('“%s” and “%s” share a skeleton', (a, b) => {
    expect(nameSkeleton(a)).toBe(nameSkeleton(b));
  });

  it.each([
    ['Alice', 'Alicia'],
    ['José', 'Jose'],
    ['Anna', 'Hanna'],
  ])('“%s” and “%s” do not', (a, b) => {
    expect(nameSkeleton(a)).not.toBe(nameSkeleton(b));
  });
});

describe('mixed scripts', () => {
  it('marks Latin mixed with Cyrillic or Greek, naming the scripts in order', () => {
    expect(mixedScripts('\u0410lice')).toEqual(['Cyrillic', 'Latin']);
    expect(mixedScripts('Nik\u03BF')).toEqual(['Latin', 'Greek']);
  });

  it('leaves single-script names alone, whatever the script, and ignores digits, spaces and punctuation', () => {
    for (const name of ['Alice', 'Алиса', 'Αλίκη', 'アリス', '김민수', 'Zoë 2', "O'Brien-Smith (work)"]) {
      expect(mixedScripts(name)).toBeNull();
    }
  });

  it('allows the combinations real names use: Japanese kana with kanji, Latin with Han, Hangul with Han', () => {
    for (const name of ['山田たろう', '山田タロウ', 'Ken 健二', '李 Li', '김 金']) expect(mixedScripts(name)).toBeNull();
  });
});

describe('marking a roster', () => {
  it('gives every holder of a duplicated name a short suffix from their id, and nobody else a mark', () => {
    const marks = markNames([
      person('3f9aXXXXXXXX', 'Alice'),
      person('b7c1YYYYYYYY', '\u0410lice'),
      person('c0ffeeZZZZZZ', 'Bob'),
    ]);
    expect(marks.get('3f9aXXXXXXXX')).toEqual({ suffix: '3f9a', mixedScripts: null });
    expect(marks.get('b7c1YYYYYYYY')).toEqual({ suffix: 'b7c1', mixedScripts: ['Cyrillic', 'Latin'] });
    expect(marks.has('c0ffeeZZZZZZ')).toBe(false);
  });

  it('lengthens the suffix until the ids differ', () => {
    const marks = markNames([person('abcdef111111', 'Sam'), person('abcdeg222222', 'sam')]);
    expect(marks.get('abcdef111111')?.suffix).toBe('abcdef');
    expect(marks.get('abcdeg222222')?.suffix).toBe('abcdeg');
  });

  it('does not take one person listed twice (online and a favourite) for two', () => {
    expect(markNames([person('3f9aXXXXXXXX', 'Alice'), person('3f9aXXXXXXXX', 'Alice')]).size).toBe(0);
  });

  it('words the mark: a visible suffix, a tooltip that says why, and an accessible name for the badge', () => {
    const text = describeMark('Аlice', { suffix: 'b7c1', mixedScripts: ['Cyrillic', 'Latin'] });
    expect(text.suffix).toBe('· b7c1');
    expect(text.duplicateHint).toContain('user id begins b7c1');
    expect(text.scriptsLabel).toBe('Mixed scripts: “Аlice” mixes Cyrillic and Latin letters, which can imitate another name.');
    expect(describeMark('Bob', { suffix: null, mixedScripts: null })).toEqual({ suffix: null, duplicateHint: null, scriptsLabel: null });
  });
});

describe('the marks in Russian (issue 16.1)', () => {
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('names the scripts and words the hint in Russian', async () => {
    await i18n.changeLanguage('ru');
    expect(scriptName('Cyrillic')).toBe('кириллица');
    expect(scriptName('another script')).toBe('другой алфавит');
    const text = describeMark('Аlice', { suffix: 'b7c1', mixedScripts: ['Cyrillic', 'Latin'] });
    expect(text.scriptsLabel).toBe('Смешанные алфавиты: в имени «Аlice» смешаны буквы (кириллица и латиница) — так можно подделать чужое имя.');
    expect(text.duplicateHint).toBe(
      'Здесь есть ещё кто-то с именем «Аlice» (или с именем, которое выглядит так же). ID этого пользователя начинается с b7c1.',
    );
  });
});
