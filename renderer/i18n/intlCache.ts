/**
 * Intl formatters, made once per language and options. Constructing one loads the
 * language's ICU data and costs about as much as formatting hundreds of values; the
 * call screen's title alone built a new `Intl.ListFormat` on every render, and a CPU
 * profile of the moment after Accept (test/bench/callTrace.ts, issue 15) counted
 * ~9 ms of it per page on this machine, on the main thread that must also put the
 * first remote frame on screen.
 *
 * Keys are the constructor, the locale and the options as JSON (options here are
 * small literal objects). The cache is bounded: a few languages × a few option sets.
 */
const MAX_ENTRIES = 256;

type Formatter = Intl.ListFormat | Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat | Intl.DisplayNames;
const made = new Map<string, Formatter>();

function cached<F extends Formatter>(kind: string, locale: string | undefined, options: object, make: () => F): F {
  const key = `${kind}|${locale ?? ''}|${JSON.stringify(options)}`;
  const hit = made.get(key);
  if (hit) return hit as F;
  const formatter = make();
  // Oldest first out: Maps keep insertion order.
  if (made.size >= MAX_ENTRIES) made.delete(made.keys().next().value as string);
  made.set(key, formatter);
  return formatter;
}

export function listFormat(locale: string | undefined, options: Intl.ListFormatOptions): Intl.ListFormat {
  return cached('list', locale, options, () => new Intl.ListFormat(locale, options));
}

export function dateTimeFormat(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return cached('dateTime', locale, options, () => new Intl.DateTimeFormat(locale, options));
}

export function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  return cached('number', locale, options, () => new Intl.NumberFormat(locale, options));
}

export function relativeTimeFormat(locale: string | undefined, options: Intl.RelativeTimeFormatOptions): Intl.RelativeTimeFormat {
  return cached('relativeTime', locale, options, () => new Intl.RelativeTimeFormat(locale, options));
}

export function displayNames(locale: string | undefined, options: Intl.DisplayNamesOptions): Intl.DisplayNames {
  return cached('displayNames', locale, options, () => new Intl.DisplayNames(locale, options));
}
