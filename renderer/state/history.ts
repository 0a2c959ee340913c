/** Call history: pure list edits and the words and numbers a history row shows. */
import { MAX_HISTORY, type HistoryEntry } from '../../preload/contract';
import { currentLanguage, t } from '../i18n';
import { dateTimeFormat, listFormat } from '../i18n/intlCache';

/** Newest first, one row per entry id, at most MAX_HISTORY rows. */
export function addToHistory(list: readonly HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  const rest = list.filter((e) => e.id !== entry.id);
  return [entry, ...rest].sort((a, b) => b.startedAt - a.startedAt).slice(0, MAX_HISTORY);
}

/** 0:07, 3:12, 1:02:03. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  return `${minutes}:${ss}`;
}

/** The in-call timer: mm:ss, growing to h:mm:ss after an hour. */
export function formatTimer(ms: number): string {
  const text = formatDuration(ms);
  return text.length === 4 ? `0${text}` : text;
}

export type HistoryKind = 'incoming' | 'outgoing' | 'missed';

export interface HistoryRow {
  kind: HistoryKind;
  /** Who: "Bob", or "Bob, Carol and 2 others". */
  title: string;
  /** What happened: "Missed call", "Outgoing video call", "No answer". */
  label: string;
  /** When: "14:05", "Yesterday 09:12", "Mon 3 Jun 18:40". */
  time: string;
  /** "3:12" for answered calls, otherwise null. */
  duration: string | null;
}

export interface FormatOptions {
  now: number;
  locale?: string;
  timeZone?: string;
}

export function peopleTitle(names: readonly string[]): string {
  // "Bob and Carol" / "Боб и Кэрол": the language's own list, then a counted rest.
  // Parley's English is British: no serial comma ("Bob, Carol and Dan").
  const listLocale = currentLanguage() === 'en' ? 'en-GB' : currentLanguage();
  if (names.length <= 3) return listFormat(listLocale, { type: 'conjunction' }).format(names);
  return t('people.more', { first: names[0], second: names[1], count: names.length - 2 });
}

/** The calendar day in the given zone, as YYYY-MM-DD (en-CA formats it so). */
function dayKey(ms: number, timeZone: string | undefined): string {
  return dateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

export function formatWhen(startedAt: number, options: FormatOptions): string {
  const { now, timeZone } = options;
  const locale = options.locale ?? currentLanguage();
  // timeStyle follows the locale's own habit: "09:05" in en-GB, "9:05 AM" in en-US.
  const time = dateTimeFormat(locale, { timeZone, timeStyle: 'short' }).format(startedAt);
  const day = dayKey(startedAt, timeZone);
  if (day === dayKey(now, timeZone)) return time;
  if (day === dayKey(now - 86_400_000, timeZone)) return t('history.yesterday', { time });
  const sameYear =
    dateTimeFormat('en-CA', { timeZone, year: 'numeric' }).format(startedAt) ===
    dateTimeFormat('en-CA', { timeZone, year: 'numeric' }).format(now);
  const date = dateTimeFormat(
    locale,
    sameYear
      ? { timeZone, weekday: 'short', day: 'numeric', month: 'short' }
      : { timeZone, day: 'numeric', month: 'short', year: 'numeric' },
  ).format(startedAt);
  return t('history.dateTime', { date, time });
}

/** An incoming call that rang out or was withdrawn before anyone here answered is missed. */
const MISSED_OUTCOMES: ReadonlySet<HistoryEntry['outcome']> = new Set(['missed', 'cancelled', 'no_answer']);

export function historyKind(entry: HistoryEntry): HistoryKind {
  if (entry.direction === 'incoming' && MISSED_OUTCOMES.has(entry.outcome)) return 'missed';
  return entry.direction;
}

function outcomeLabel(entry: HistoryEntry): string {
  const video = entry.media === 'video';
  const missed = video ? t('history.missedVideo') : t('history.missedCall');
  switch (entry.outcome) {
    case 'answered':
      if (entry.direction === 'incoming') return video ? t('history.incomingVideo') : t('history.incomingCall');
      return video ? t('history.outgoingVideo') : t('history.outgoingCall');
    case 'missed':
      return missed;
    case 'declined':
      return entry.direction === 'incoming' ? t('history.declined') : t('history.declinedByThem');
    case 'cancelled':
      return entry.direction === 'incoming' ? missed : t('history.cancelled');
    case 'no_answer':
      return entry.direction === 'incoming' ? missed : t('history.noAnswer');
    case 'busy':
      return t('history.busy');
    case 'failed':
      return t('history.failed');
  }
}

export function describeHistoryEntry(entry: HistoryEntry, options: FormatOptions): HistoryRow {
  return {
    kind: historyKind(entry),
    title: peopleTitle(entry.peers.map((p) => p.displayName)),
    label: outcomeLabel(entry),
    time: formatWhen(entry.startedAt, options),
    duration: entry.outcome === 'answered' ? formatDuration(entry.durationMs) : null,
  };
}
