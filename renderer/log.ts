/**
 * The renderer's log: one sink, four levels, scopes (`log.child('call.peer')`).
 *
 * On the desktop the sink is `ParleyBridge.log`, which main writes to its pino log;
 * the browser host's `log` writes to the console. Until the composition root
 * installs the host's sink (main.tsx, right after it finds the host), and in unit
 * tests, lines go to the console.
 *
 * Why a module-level logger rather than one passed to every constructor: the
 * errors worth logging sit in every layer (media, call features, stores, the
 * browser host), most of them deep in code that has no other reason to know about
 * logging; one import per module keeps each catch site to one line, and tests
 * that want the lines install a sink with `setLogSink`. Classes
 * that already report errors through a callback (PeerSession's `onError`,
 * callFeatures' `onError`) keep it: their owner adds the context (which call,
 * which device) and logs.
 *
 * Logging must never break what it reports on: every entry point catches, entries
 * are cut to the contract's limits (logEntrySchema) before they are sent, and a
 * sink that throws falls back to the console.
 */
import type { LogEntry } from '../preload/contract';

export type LogLevel = LogEntry['level'];
export type LogSink = (entry: LogEntry) => void;

export interface Logger {
  /** Expected and harmless (a channel closing under us): kept for diagnosis only. */
  debug(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  /** Something failed and the app worked around it. */
  warn(message: string, detail?: unknown): void;
  /** Something failed that the person will notice. */
  error(message: string, detail?: unknown): void;
  /** The same sink under `scope`, appended to this logger's: 'call' → child('peer') → 'call.peer'. */
  child(scope: string): Logger;
}

/** The contract's limits (preload/contract.ts, logEntrySchema). */
export const LOG_LIMITS = { message: 1000, detail: 4000, scope: 64, stackLines: 8 } as const;

const ROOT_SCOPE = 'renderer';

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Letters, digits and . : - only, starting with a lowercase letter (logEntrySchema). */
function cleanScope(scope: string): string {
  const cleaned = scope.replace(/[^a-zA-Z0-9.:-]/g, '-').replace(/^[^a-z]+/, '');
  return cleaned.slice(0, LOG_LIMITS.scope) || ROOT_SCOPE;
}

/**
 * An error as text: name, message and the first lines of its stack (without the
 * line that repeats name and message), then its cause. Anything else as JSON or
 * String(); never throws.
 */
export function describeError(value: unknown): string {
  try {
    if (value instanceof Error) {
      const head = `${value.name}: ${value.message}`;
      const frames = (value.stack ?? '')
        .split('\n')
        .filter((line) => /^\s+at |@/.test(line))
        .slice(0, LOG_LIMITS.stackLines);
      const cause = value.cause === undefined ? '' : `\ncaused by ${describeError(value.cause)}`;
      return [head, ...frames].join('\n') + cause;
    }
    if (typeof value === 'string') return value;
    if (value === undefined) return 'undefined';
    const json = JSON.stringify(value);
    return typeof json === 'string' ? json : String(value);
  } catch {
    // A getter that throws, a revoked proxy, a cycle: say so rather than fail the log.
    return '(an error that could not be described)';
  }
}

/** Builds the entry the sink receives, cut to the contract's limits. */
export function logEntry(level: LogLevel, scope: string, message: string, detail?: unknown): LogEntry {
  const entry: LogEntry = {
    level,
    scope: cleanScope(scope),
    message: cut(typeof message === 'string' ? message : describeError(message), LOG_LIMITS.message),
  };
  if (detail !== undefined) entry.detail = cut(describeError(detail), LOG_LIMITS.detail);
  return entry;
}

export type ConsoleLike = Pick<Console, 'debug' | 'info' | 'warn' | 'error'>;

/** Each entry as one console line, `[scope] message`, the detail as a second argument. */
export function consoleSink(out: ConsoleLike = console): LogSink {
  return (entry) => {
    const line = `[${entry.scope}] ${entry.message}`;
    if (entry.detail === undefined) out[entry.level](line);
    else out[entry.level](line, entry.detail);
  };
}

/** The host's log (desktop: main's pino log; browser host: its console). Fire and forget. */
export function bridgeSink(bridge: { log(entry: LogEntry): void }): LogSink {
  return (entry) => bridge.log(entry);
}

/** A logger writing to `sink`; children share it. */
export function createLogger(sink: LogSink, scope = ROOT_SCOPE): Logger {
  const write = (level: LogLevel, message: string, detail?: unknown): void => {
    let entry: LogEntry | null = null;
    try {
      entry = logEntry(level, scope, message, detail);
      sink(entry);
    } catch (failure) {
      // The sink itself failed (the bridge gone with its window, a console replaced
      // by a test): the console is the last place left to say so.
      try {
        console.error(`[log] could not write a ${level} line from ${scope}`, entry ?? message, failure);
      } catch {
        // Nothing is left to report to; logging must not throw into the caller.
      }
    }
  };
  return {
    debug: (message, detail) => write('debug', message, detail),
    info: (message, detail) => write('info', message, detail),
    warn: (message, detail) => write('warn', message, detail),
    error: (message, detail) => write('error', message, detail),
    child: (name) => createLogger(sink, scope === ROOT_SCOPE ? name : `${scope}.${name}`),
  };
}

let installed: LogSink = consoleSink();

/**
 * Sets where every logger made from `log` writes; returns a disposer that puts the
 * previous sink back (tests). The composition root calls it once with the host's sink.
 */
export function setLogSink(sink: LogSink): () => void {
  const previous = installed;
  installed = sink;
  return () => {
    if (installed === sink) installed = previous;
  };
}

/**
 * The renderer's root logger; modules take a child with their scope. It looks the
 * installed sink up at every line, so module-level children made at import time
 * follow the sink the composition root installs later.
 */
export const log: Logger = createLogger((entry) => installed(entry));
