/**
 * The server's structured logger (pino, JSON lines).
 *
 * Logs go to stderr: stdout is kept for the CLI's one human-readable line and for
 * whatever the embedding app prints. Writes are synchronous so that the last lines
 * before an exit (a signal, a fatal error) are not lost.
 */
import { pino, type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel): Logger {
  return pino(
    { name: 'parley-server', level, base: { pid: process.pid } },
    pino.destination({ dest: 2, sync: true }),
  );
}

/** Error values for logs, without letting a hostile `toString` or getter throw. */
export function describeError(err: unknown): { message: string; stack?: string } {
  try {
    if (err instanceof Error) return { message: err.message, stack: err.stack };
    return { message: String(err) };
  } catch {
    return { message: 'unprintable error' };
  }
}
