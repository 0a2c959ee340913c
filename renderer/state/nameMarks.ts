/**
 * Look-alike names (issue 10, item 6). The server refuses invisible names, but two
 * people may still both be "Alice", or one may be "Аlice" with a Cyrillic А. The
 * renderer knows the whole roster, so it marks:
 * - duplicates: names that read the same as another person's, after Unicode
 *   compatibility folding (NFKC), case folding, whitespace folding and a skeleton
 *   of common Latin/Cyrillic/Greek look-alikes (a subset of Unicode's
 *   confusables.txt, UTS #39 §4). Each gets a short suffix from its user id;
 * - mixed scripts: a name whose letters come from scripts that do not belong
 *   together (Latin with Cyrillic, say). UTS #39 §5.2 "highly restrictive": one
 *   script, or Latin with the Han-based sets of Japanese, Chinese or Korean.
 * Pure; tested in test/unit/state/nameMarks.test.ts. `describeMark` words the marks in
 * the language now in force (issue 16.1).
 */
import { currentLanguage, t } from '../i18n';
import { displayNames, listFormat } from '../i18n/intlCache';

export interface NameMark {
  /** Set when another person's name reads the same: a few characters of this user's id. */
  suffix: string | null;
  /** The scripts a mixed-script name draws from, in order of appearance; null when not mixed. */
  mixedScripts: string[] | null;
}

const NO_MARK: NameMark = { suffix: null, mixedScripts: null };

/**
 * Letters that look like Latin ones, both cases, mapped to the Latin letter they
 * imitate (from confusables.txt). Lower case is folded afterwards, so a capital
 * that looks like a Latin capital (Greek Ν, N) is mapped as a capital.
 */
const CONFUSABLE: Record<string, string> = {
  // Cyrillic
  А: 'A', а: 'a', В: 'B', в: 'b', Е: 'E', е: 'e', Ѕ: 'S', ѕ: 's', І: 'I', і: 'i', Ј: 'J', ј: 'j',
  К: 'K', к: 'k', М: 'M', м: 'm', Н: 'H', н: 'h', О: 'O', о: 'o', Р: 'P', р: 'p', С: 'C', с: 'c',
  Т: 'T', т: 't', У: 'Y', у: 'y', Х: 'X', х: 'x', Һ: 'H', һ: 'h', Ԁ: 'D', ԁ: 'd', Ԛ: 'Q', ԛ: 'q',
  Ԝ: 'W', ԝ: 'w', Ӏ: 'l', ӏ: 'l', Ү: 'Y', ү: 'y', Ɡ: 'G', ɡ: 'g',
  // Greek
  Α: 'A', α: 'a', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', ι: 'i', Κ: 'K', κ: 'k', Μ: 'M', Ν: 'N',
  ν: 'v', Ο: 'O', ο: 'o', Ρ: 'P', ρ: 'p', Τ: 'T', Υ: 'Y', υ: 'u', Χ: 'X', χ: 'x', ϲ: 'c', Ϲ: 'C',
  // Latin letters outside ASCII that pass for ASCII ones
  ı: 'i', ȷ: 'j', ɑ: 'a',
};

/** After lower-casing: characters that are told apart by case or font only. */
const AFTER_LOWER: [RegExp, string][] = [
  [/[l1|]/gu, 'i'],
  [/0/gu, 'o'],
  [/rn/gu, 'm'],
  [/vv/gu, 'w'],
  [/ß/gu, 'ss'],
];

/** The form two names share when they read the same (the comparison key, never shown). */
export function nameSkeleton(name: string): string {
  let s = name.normalize('NFKC').normalize('NFD');
  s = [...s].map((c) => CONFUSABLE[c] ?? c).join('');
  s = s.toLowerCase();
  for (const [pattern, to] of AFTER_LOWER) s = s.replace(pattern, to);
  return s.replace(/\s+/gu, ' ').trim().normalize('NFC');
}

/** Scripts names are written in, tested in this order (Common and Inherited are no script). */
const SCRIPTS: [string, RegExp][] = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Georgian', /\p{Script=Georgian}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Bengali', /\p{Script=Bengali}/u],
  ['Tamil', /\p{Script=Tamil}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Ethiopic', /\p{Script=Ethiopic}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
  ['Han', /\p{Script=Han}/u],
  ['Hiragana', /\p{Script=Hiragana}/u],
  ['Katakana', /\p{Script=Katakana}/u],
  ['Hangul', /\p{Script=Hangul}/u],
  ['Bopomofo', /\p{Script=Bopomofo}/u],
];

/** UTS #39 highly restrictive: the script sets one name may draw from together. */
const ALLOWED_TOGETHER: ReadonlySet<string>[] = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

/** The scripts of a name's letters, in order of first appearance. */
export function scriptsOf(name: string): string[] {
  const found: string[] = [];
  for (const char of name.normalize('NFC')) {
    if (!/\p{L}/u.test(char)) continue;
    const script = SCRIPTS.find(([, pattern]) => pattern.test(char))?.[0] ?? 'another script';
    if (!found.includes(script)) found.push(script);
  }
  return found;
}

/** The scripts of a name that mixes scripts that do not belong together, or null. */
export function mixedScripts(name: string): string[] | null {
  const scripts = scriptsOf(name);
  if (scripts.length < 2) return null;
  const together = ALLOWED_TOGETHER.some((allowed) => scripts.every((s) => allowed.has(s)));
  return together ? null : scripts;
}

/** The shortest id prefix (4 characters or more) that tells every id of the group apart. */
function suffixes(userIds: readonly string[]): Map<string, string> {
  const longest = Math.max(...userIds.map((id) => id.length));
  for (let n = 4; n < longest; n += 1) {
    const cut = userIds.map((id) => id.slice(0, n));
    if (new Set(cut).size === cut.length) return new Map(userIds.map((id, i) => [id, cut[i] as string]));
  }
  return new Map(userIds.map((id) => [id, id]));
}

/**
 * The marks for everyone in `roster` (online people, offline favourites, and this
 * user, so an impostor of me is marked too). People without a mark are left out.
 */
export function markNames(roster: readonly { userId: string; displayName: string }[]): Map<string, NameMark> {
  const bySkeleton = new Map<string, Set<string>>();
  const names = new Map<string, string>();
  for (const person of roster) {
    names.set(person.userId, person.displayName);
    const key = nameSkeleton(person.displayName);
    const group = bySkeleton.get(key) ?? new Set<string>();
    group.add(person.userId);
    bySkeleton.set(key, group);
  }
  const marks = new Map<string, NameMark>();
  for (const group of bySkeleton.values()) {
    if (group.size < 2) continue;
    for (const [userId, suffix] of suffixes([...group].sort())) marks.set(userId, { ...NO_MARK, suffix });
  }
  for (const [userId, name] of names) {
    const mixed = mixedScripts(name);
    if (mixed) marks.set(userId, { ...(marks.get(userId) ?? NO_MARK), mixedScripts: mixed });
  }
  return marks;
}

/** ISO 15924 codes of the scripts above, so Intl names them in the language now in force. */
const SCRIPT_CODES: Readonly<Record<string, string>> = {
  Latin: 'Latn',
  Cyrillic: 'Cyrl',
  Greek: 'Grek',
  Armenian: 'Armn',
  Georgian: 'Geor',
  Hebrew: 'Hebr',
  Arabic: 'Arab',
  Devanagari: 'Deva',
  Bengali: 'Beng',
  Tamil: 'Taml',
  Thai: 'Thai',
  Ethiopic: 'Ethi',
  Cherokee: 'Cher',
  Han: 'Hani',
  Hiragana: 'Hira',
  Katakana: 'Kana',
  Hangul: 'Hang',
  Bopomofo: 'Bopo',
};

/** A script's name in the language now in force: "Cyrillic" / "кириллица". */
export function scriptName(script: string): string {
  const code = SCRIPT_CODES[script];
  if (code === undefined) return t('personName.anotherScript');
  return displayNames(currentLanguage(), { type: 'script', fallback: 'code' }).of(code) ?? script;
}

/**
 * The words the UI puts on a mark, in the language now in force (call at render time):
 * the visible suffix, its tooltip, the badge's accessible name.
 */
export function describeMark(name: string, mark: NameMark): { suffix: string | null; duplicateHint: string | null; scriptsLabel: string | null } {
  const scripts = mark.mixedScripts?.map(scriptName) ?? null;
  return {
    suffix: mark.suffix === null ? null : t('personName.duplicateSuffix', { suffix: mark.suffix }),
    duplicateHint: mark.suffix === null ? null : t('personName.duplicateHint', { name, suffix: mark.suffix }),
    scriptsLabel:
      scripts === null
        ? null
        : t('personName.scriptsLabel', {
            name,
            scripts: listFormat(currentLanguage(), { type: 'conjunction', style: 'long' }).format(scripts),
          }),
  };
}
