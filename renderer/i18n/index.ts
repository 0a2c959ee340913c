/**
 * English and Russian for the renderer (issue 16.1), on i18next.
 *
 * - Strings live in `locales/en.json` and `locales/ru.json`, the same tree in both
 *   (test/unit/i18nLocales.test.ts fails on a missing key, a placeholder that differs,
 *   or a plural form missing for a language's Intl.PluralRules categories).
 * - Plurals are i18next's v4 suffixes (`_one`, `_few`, `_many`, `_other`), chosen by
 *   Intl.PluralRules: pass `count`. Whole sentences with `{{placeholders}}`, never
 *   sentences glued from pieces.
 * - Components call `useT()` (re-renders on a language change); plain modules call `t()`
 *   at the moment they build a string (never at import time, or it is frozen in the
 *   language of the moment).
 * - Dates, times, numbers and durations: the `format*` helpers below, on Intl, in the
 *   current language.
 * - The language follows the browser/OS (`navigator.languages`) unless the person picks
 *   one in Settings (`settings.language`: system / en / ru); `applyLanguageChoice` switches
 *   at once without a reload.
 * - Only English (the fallback) is in the bundle loaded at start; every other language's
 *   strings are a chunk of their own, loaded when that language is picked (issue 16.8:
 *   initial JavaScript). `i18n.changeLanguage` loads them first (an i18next backend);
 *   main.tsx waits for the system language before the first render and App for the
 *   chosen one before the app shows, so nobody sees a frame in the wrong language.
 *   Strings that fail to load are logged and leave the UI in English (`applyLanguageChoice`
 *   resolves to the language actually in force, for the caller to tell the person).
 */
import i18next, { type i18n as I18n } from 'i18next';
import resourcesToBackend from 'i18next-resources-to-backend';
import { useMemo, useSyncExternalStore } from 'react';
import { initReactI18next } from 'react-i18next';
import type { LanguageChoice } from '../../preload/contract';
import { log } from '../log';
import en from './locales/en.json';
import { dateTimeFormat, listFormat, numberFormat, relativeTimeFormat } from './intlCache';

export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];
/** What Settings stores (settings.language): follow the system, or one language. */
export type { LanguageChoice };
export const FALLBACK_LANGUAGE: Language = 'en';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

/** The languages loaded on demand, each its own chunk; English is bundled (the fallback). */
const LAZY_LOCALES: Readonly<Record<Exclude<Language, 'en'>, () => Promise<{ default: unknown }>>> = {
  ru: () => import('./locales/ru.json'),
};

const i18nLog = log.child('i18n');

/** The i18next backend's loader: a language's strings, from their chunk. */
async function loadLocale(language: string, namespace: string): Promise<unknown> {
  const load = Object.hasOwn(LAZY_LOCALES, language) ? LAZY_LOCALES[language as keyof typeof LAZY_LOCALES] : undefined;
  if (load === undefined || namespace !== 'translation') throw new Error(`Parley has no strings for ${language}/${namespace}`);
  try {
    return (await load()).default;
  } catch (error) {
    i18nLog.error(`the ${language} strings did not load (their chunk failed): the UI stays in English`, error);
    throw error;
  }
}

export const i18n: I18n = i18next.createInstance();
void i18n
  .use(resourcesToBackend(loadLocale))
  .use(initReactI18next)
  .init({
    resources: { en: { translation: en } },
    // English is bundled; the backend loads only the other languages, when picked.
    partialBundledLanguages: true,
    // English until `applyLanguageChoice` has the chosen language's strings (main.tsx, before the first render).
    lng: FALLBACK_LANGUAGE,
    fallbackLng: FALLBACK_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    // English is bundled: initialise synchronously so anything rendered has strings.
    initAsync: false,
    // React escapes text itself; escaping here would show "&amp;" in names.
    interpolation: { escapeValue: false },
    returnNull: false,
    // Keys are paths ('call.hangUp') in one namespace. Saying so spares every t() the
    // guess whether a key is a sentence or a path (i18next's looksLikeObjectPath, a
    // regular expression per call: ~8 ms per page right after Accept in a CPU profile,
    // issue 15) and the search for a namespace prefix.
    keySeparator: '.',
    nsSeparator: false,
    react: { useSuspense: false, bindI18n: 'languageChanged' },
  });

/**
 * Strings already made, by language, key and options. i18next builds each string anew
 * (resolve, interpolate, nest: ~25 ms of the caller's main thread after Accept went to
 * t(), issue 15), and most calls ask for the same few strings. Only strings, and only
 * for options of plain values; emptied when strings are added or the language changes,
 * and when it grows past MEMO_LIMIT (options with ever-new values, such as a count).
 */
const memo = new Map<string, string>();
const MEMO_LIMIT = 2_000;
const forget = (): void => memo.clear();
i18n.on('languageChanged', forget);
i18n.on('loaded', forget);
i18n.store.on('added', forget);

function plainOptions(options: object): boolean {
  return Object.values(options).every((v) => v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
}

function translate(key: string, options?: object): unknown {
  if (options !== undefined && (typeof options !== 'object' || options === null || !plainOptions(options))) return i18n.t(key as never, options as never);
  const id = `${i18n.language}\u0000${key}${options === undefined ? '' : `\u0000${JSON.stringify(options)}`}`;
  const known = memo.get(id);
  if (known !== undefined) return known;
  const made: unknown = i18n.t(key as never, options as never);
  if (typeof made === 'string') {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(id, made);
  }
  return made;
}

/** The renderer's translate function, in the language now in force. */
export const t = translate as unknown as typeof i18n.t;

/**
 * For components: `const { t } = useT();` re-renders the component when the language
 * changes; its `t` (memoised as above) is a new function in each language, so hooks
 * that list it as a dependency run again. (`<Trans t={t}>` works with it.)
 */
export function useT() {
  // The language, subscribed to directly: react-i18next's useTranslation did more per
  // component on every render (~11 ms of the caller's main thread after Accept, issue 15).
  const language = useSyncExternalStore(subscribeLanguage, languageNow, languageNow);
  const fixed = useMemo(() => ((key: string, options?: object) => translate(key, options)) as unknown as typeof i18n.t, [language]);
  return { t: fixed, i18n };
}

function subscribeLanguage(onChange: () => void): () => void {
  i18n.on('languageChanged', onChange);
  return () => i18n.off('languageChanged', onChange);
}

function languageNow(): string {
  return i18n.language;
}

/** The browser's / OS's preferred languages, best first ([] outside a browser). */
export function systemLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  if (Array.isArray(navigator.languages) && navigator.languages.length > 0) return navigator.languages;
  return typeof navigator.language === 'string' ? [navigator.language] : [];
}

/** The first of `preferred` (BCP 47 tags, best first) Parley speaks, else English. */
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split(/[-_]/)[0];
    const known = LANGUAGES.find((language) => language === base);
    if (known) return known;
  }
  return FALLBACK_LANGUAGE;
}

/** The language a choice means here: 'system' follows `preferred`. */
export function resolveLanguage(choice: LanguageChoice, preferred: readonly string[] = systemLanguages()): Language {
  return choice === 'system' ? pickLanguage(preferred) : choice;
}

/** The language in force now. */
export function currentLanguage(): Language {
  return pickLanguage([i18n.language]);
}

/** The language the latest `applyLanguageChoice` asked for: an earlier, slower load must not win over it. */
let wanted: Language = FALLBACK_LANGUAGE;

/**
 * Switches the UI to the chosen language without a reload, once its strings are loaded
 * (English at once; others load their chunk first), and tags the document with it.
 * Resolves to the language in force: English when the chosen language's strings failed
 * to load (logged; the caller tells the person). Never rejects.
 */
export async function applyLanguageChoice(choice: LanguageChoice): Promise<Language> {
  const language = resolveLanguage(choice);
  wanted = language;
  if (!i18n.hasResourceBundle(language, 'translation')) {
    // A load that failed before is tried again (i18next would not: it remembers the failure).
    await i18n.reloadResources([language], ['translation']);
  }
  if (wanted !== language) return currentLanguage();
  const inForce = i18n.hasResourceBundle(language, 'translation') ? language : FALLBACK_LANGUAGE;
  if (i18n.language !== inForce) await i18n.changeLanguage(inForce);
  if (typeof document !== 'undefined') document.documentElement.lang = inForce;
  return inForce;
}

/** A clock time: "14:05" / "2:05 PM". */
export function formatTime(at: number | Date): string {
  return dateTimeFormat(currentLanguage(), { hour: 'numeric', minute: '2-digit' }).format(at);
}

/** A date and time, medium date: "6 Dec 2026, 14:05" / "6 дек. 2026 г., 14:05". */
export function formatDateTime(at: number | Date): string {
  return dateTimeFormat(currentLanguage(), { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** A short date: "6 Dec" / "6 дек.". */
export function formatDate(at: number | Date, options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short' }): string {
  return dateTimeFormat(currentLanguage(), options).format(at);
}

/** "yesterday", "3 days ago", "вчера", "3 дня назад". */
export function formatRelative(value: number, unit: Intl.RelativeTimeFormatUnit): string {
  return relativeTimeFormat(currentLanguage(), { numeric: 'auto' }).format(value, unit);
}

/** A number with the language's grouping and decimal mark. */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return numberFormat(currentLanguage(), options ?? {}).format(value);
}

/** A running call's clock: "0:05", "12:34", "1:02:05" (the same in both languages). */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}

/** A finished call's length in words: "45 sec", "3 min", "1 hr, 2 min" / "45 с", "3 мин", "1 ч 2 мин" (Intl units). */
export function formatDuration(ms: number): string {
  const language = currentLanguage();
  const unit = (value: number, name: 'second' | 'minute' | 'hour') =>
    numberFormat(language, { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return unit(total, 'second');
  const minutes = Math.round(total / 60);
  if (minutes < 60) return unit(minutes, 'minute');
  const parts = [unit(Math.floor(minutes / 60), 'hour')];
  if (minutes % 60 > 0) parts.push(unit(minutes % 60, 'minute'));
  return listFormat(language, { type: 'unit', style: 'narrow' }).format(parts);
}
