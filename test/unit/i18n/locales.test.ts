/**
 * English and Russian stay in step (issue 16.1): every key in both, the same
 * placeholders, every plural form each language's Intl.PluralRules asks for; and
 * Russian plurals, dates and durations come out as Russian says them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import en from '../../../renderer/i18n/locales/en.json';
import ru from '../../../renderer/i18n/locales/ru.json';
import { formatDuration, formatRelative, i18n, pickLanguage, resolveLanguage, t } from '../../../renderer/i18n';
import { peopleTitle } from '../../../renderer/state/history';

type Tree = { [key: string]: string | Tree };
const PLURAL = /_(zero|one|two|few|many|other)$/;

/** Leaf keys with plural suffixes folded: "call.chatUnread_few" → "call.chatUnread" (plural). */
function leaves(tree: Tree, prefix = ''): Map<string, { values: string[]; forms: Set<string> }> {
  const out = new Map<string, { values: string[]; forms: Set<string> }>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value !== 'string') {
      for (const [k, v] of leaves(value, path)) out.set(k, v);
      continue;
    }
    const form = PLURAL.exec(path);
    const base = form ? path.slice(0, form.index) : path;
    const entry = out.get(base) ?? { values: [], forms: new Set<string>() };
    entry.values.push(value);
    if (form?.[1]) entry.forms.add(form[1]);
    out.set(base, entry);
  }
  return out;
}

const placeholders = (text: string): string[] => [...text.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1] ?? '').sort();

const trees = { en: leaves(en as Tree), ru: leaves(ru as Tree) };

describe('the locale files', () => {
  it('have the same keys in English and Russian', () => {
    const missingInRu = [...trees.en.keys()].filter((k) => !trees.ru.has(k));
    const missingInEn = [...trees.ru.keys()].filter((k) => !trees.en.has(k));
    expect({ missingInRu, missingInEn }).toEqual({ missingInRu: [], missingInEn: [] });
  });

  it('have no empty strings', () => {
    for (const [language, tree] of Object.entries(trees)) {
      const empty = [...tree].filter(([, v]) => v.values.some((s) => s.trim() === '')).map(([k]) => `${language}:${k}`);
      expect(empty).toEqual([]);
    }
  });

  it('use the same placeholders in both languages (every plural form included)', () => {
    const differ: string[] = [];
    for (const [key, { values }] of trees.en) {
      const other = trees.ru.get(key);
      if (!other) continue;
      const want = JSON.stringify([...new Set(values.flatMap(placeholders))].sort());
      for (const value of other.values) {
        const got = placeholders(value).filter((p) => p !== 'count');
        const wanted = (JSON.parse(want) as string[]).filter((p) => p !== 'count');
        if (JSON.stringify([...new Set(got)].sort()) !== JSON.stringify(wanted)) differ.push(`${key}: ru "${value}"`);
      }
      for (const value of values) {
        const own = placeholders(value).filter((p) => p !== 'count');
        const all = (JSON.parse(want) as string[]).filter((p) => p !== 'count');
        if (JSON.stringify([...new Set(own)].sort()) !== JSON.stringify(all)) differ.push(`${key}: en "${value}"`);
      }
    }
    expect(differ).toEqual([]);
  });

  it("give every plural key exactly the forms each language's Intl.PluralRules uses", () => {
    const wrong: string[] = [];
    for (const language of ['en', 'ru'] as const) {
      const categories = new Set(new Intl.PluralRules(language).resolvedOptions().pluralCategories);
      for (const [key, { forms }] of trees[language]) {
        if (forms.size === 0) continue;
        const other = trees[language === 'en' ? 'ru' : 'en'].get(key);
        if (other && other.forms.size === 0) wrong.push(`${key}: plural in ${language} only`);
        const missing = [...categories].filter((c) => !forms.has(c));
        const extra = [...forms].filter((f) => !categories.has(f as Intl.LDMLPluralRule));
        if (missing.length > 0 || extra.length > 0) wrong.push(`${language}:${key} missing [${missing}] extra [${extra}]`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('fails on the mistakes it is meant to catch', () => {
    const broken = leaves({ a: { b_one: '{{count}} x', b_other: '{{count}} xs' }, c: 'no {{name}}' });
    expect(broken.get('a.b')?.forms).toEqual(new Set(['one', 'other']));
    expect(placeholders('Hi {{name}}, {{ count }}')).toEqual(['count', 'name']);
    expect(new Set(new Intl.PluralRules('ru').resolvedOptions().pluralCategories)).toEqual(new Set(['one', 'few', 'many', 'other']));
  });
});

describe('Russian', () => {
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('picks the plural form Russian uses for 1, 2, 5 and 21', async () => {
    await i18n.changeLanguage('ru');
    expect(t('call.chatUnread', { count: 1 })).toBe('Чат, 1 непрочитанное');
    expect(t('call.chatUnread', { count: 2 })).toBe('Чат, 2 непрочитанных');
    expect(t('call.chatUnread', { count: 5 })).toBe('Чат, 5 непрочитанных');
    expect(t('call.chatUnread', { count: 21 })).toBe('Чат, 21 непрочитанное');
    await i18n.changeLanguage('en');
    expect(t('call.chatUnread', { count: 1 })).toBe('Chat, 1 unread');
    expect(t('call.chatUnread', { count: 21 })).toBe('Chat, 21 unread');
  });

  it('says lists, durations and relative days in Russian', async () => {
    await i18n.changeLanguage('ru');
    expect(peopleTitle(['Аня', 'Борис'])).toBe('Аня и Борис');
    expect(peopleTitle(['Аня', 'Борис', 'Вера', 'Гена', 'Дима'])).toBe('Аня, Борис и ещё 3');
    expect(formatDuration(45_000)).toBe('45 с');
    expect(formatDuration(3 * 60_000)).toBe('3 мин');
    expect(formatDuration(62 * 60_000)).toBe('1 ч 2 мин');
    expect(formatRelative(-1, 'day')).toBe('вчера');
    expect(t('ended.closesIn', { count: 5 })).toBe('Закроется через 5 с');
    await i18n.changeLanguage('en');
    expect(formatDuration(3 * 60_000)).toBe('3 min');
    expect(peopleTitle(['Ann', 'Bob', 'Cy'])).toBe('Ann, Bob and Cy');
  });
});

describe('choosing the language', () => {
  it('follows the first preferred language Parley speaks, else English', () => {
    expect(pickLanguage(['ru-RU', 'en-US'])).toBe('ru');
    expect(pickLanguage(['de-DE', 'ru'])).toBe('ru');
    expect(pickLanguage(['de-DE', 'fr'])).toBe('en');
    expect(pickLanguage([])).toBe('en');
    expect(resolveLanguage('system', ['ru-RU'])).toBe('ru');
    expect(resolveLanguage('en', ['ru-RU'])).toBe('en');
    expect(resolveLanguage('ru', ['en-US'])).toBe('ru');
  });
});
