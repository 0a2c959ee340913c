/**
 * English and Russian for the main process (issue 16.1): the tray menu and tooltip,
 * the incoming-call notification, main's own dialogs, and what the server test and
 * certificate pinning tell the person (serverTrust).
 *
 * Main cannot use the renderer's i18next instance (it lives in the page), so it reads
 * the same locale files — the groups "tray", "notification", "mainDialogs", "serverTrust", "mainShortcut" and "mainServer" of
 * renderer/i18n/locales/{en,ru}.json — through this small table: one source holds
 * every string, and test/unit/i18n/locales.test.ts checks both languages have them.
 *
 * The language follows settings.language; 'system' means Electron's
 * app.getPreferredSystemLanguages() (injected, so tests choose the system's language).
 * `MainLocale.set()` switches at once and tells listeners (the tray rebuilds its menu).
 */
import type { LanguageChoice } from '../../preload/contract';
// Data, not renderer code: the locale files are the one source of every string (issue 16.1).
// eslint-disable-next-line no-restricted-imports -- JSON only; no renderer module runs in main
import en from '../../renderer/i18n/locales/en.json';
// eslint-disable-next-line no-restricted-imports -- JSON only; no renderer module runs in main
import ru from '../../renderer/i18n/locales/ru.json';

export const MAIN_LANGUAGES = ['en', 'ru'] as const;
export type MainLanguage = (typeof MAIN_LANGUAGES)[number];

type Catalogue = Pick<typeof en, 'tray' | 'notification' | 'mainDialogs' | 'serverTrust' | 'mainShortcut' | 'mainServer' | 'mainNotices'>;
type Group = keyof Catalogue;
export type MainKey = { [G in Group]: `${G}.${keyof Catalogue[G] & string}` }[Group];
export type MainVars = Readonly<Record<string, string | number>>;

const CATALOGUES: Readonly<Record<MainLanguage, Catalogue>> = {
  en: { tray: en.tray, notification: en.notification, mainDialogs: en.mainDialogs, serverTrust: en.serverTrust, mainShortcut: en.mainShortcut, mainServer: en.mainServer, mainNotices: en.mainNotices },
  ru: { tray: ru.tray, notification: ru.notification, mainDialogs: ru.mainDialogs, serverTrust: ru.serverTrust, mainShortcut: ru.mainShortcut, mainServer: ru.mainServer, mainNotices: ru.mainNotices },
};

/** Translates one key in one language; `{{name}}` placeholders are filled from `vars`. */
export type MainText = (key: MainKey, vars?: MainVars) => string;

function lookup(language: MainLanguage, key: MainKey): string {
  const [group, name] = key.split('.') as [Group, string];
  const table = CATALOGUES[language][group] as Readonly<Record<string, string>>;
  const found = table[name];
  if (typeof found === 'string') return found;
  // locales.test.ts keeps both trees equal, so this is only reached by a typo in a cast.
  const english = (CATALOGUES.en[group] as Readonly<Record<string, string>>)[name];
  return typeof english === 'string' ? english : key;
}

export function mainText(language: MainLanguage): MainText {
  return (key, vars) =>
    lookup(language, key).replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
      const value = vars?.[name];
      return value === undefined ? whole : String(value);
    });
}

/** English: what tests and code paths without a locale use. */
export const ENGLISH: MainText = mainText('en');

/** The first of `preferred` (BCP 47 tags, best first) Parley speaks, else English. */
export function pickMainLanguage(preferred: readonly string[]): MainLanguage {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split(/[-_]/)[0];
    const known = MAIN_LANGUAGES.find((language) => language === base);
    if (known !== undefined) return known;
  }
  return 'en';
}

export interface MainLocaleOptions {
  /** settings.language at start. */
  choice: LanguageChoice;
  /** The OS's languages, best first: app.getPreferredSystemLanguages(), else [app.getLocale()]. */
  systemLanguages(): readonly string[];
}

/** The language main speaks now, following settings.language. */
export class MainLocale {
  private choice: LanguageChoice;
  private current: MainLanguage;
  private readonly listeners = new Set<(language: MainLanguage) => void>();

  constructor(private readonly options: MainLocaleOptions) {
    this.choice = options.choice;
    this.current = this.resolve(options.choice);
  }

  get language(): MainLanguage {
    return this.current;
  }

  /** A translate function in the language of this moment (call it when a string is built). */
  readonly text: MainText = (key, vars) => mainText(this.current)(key, vars);

  /** A new settings.language: switches at once and tells listeners if the language changed. */
  set(choice: LanguageChoice): void {
    this.choice = choice;
    const next = this.resolve(choice);
    if (next === this.current) return;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }

  /** The OS language may have changed while 'system' is chosen (e.g. at a settings change). */
  refresh(): void {
    this.set(this.choice);
  }

  onChange(listener: (language: MainLanguage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private resolve(choice: LanguageChoice): MainLanguage {
    return choice === 'system' ? pickMainLanguage(this.options.systemLanguages()) : choice;
  }
}
