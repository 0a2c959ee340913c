/**
 * Logs a repeated event once per key (a network address) per window, then one
 * summary line with how many more there were: a flood from one address writes two
 * lines a minute, not one per attempt (issue 10: one socket once wrote 190,000
 * lines in 20 s). The table is bounded: past `maxKeys`, further keys are counted
 * together under "other addresses".
 */
import type { Logger } from 'pino';

export interface LogThrottleOptions {
  /** The log line's message, e.g. "connection refused". */
  what: string;
  level: 'info' | 'warn';
  windowMs: number;
  maxKeys: number;
}

interface Entry {
  suppressed: number;
  /** What the suppressed lines were about (e.g. refusal codes) → how many. */
  kinds: Map<string, number>;
}

const OTHERS = 'other addresses';

export class LogThrottle {
  private entries = new Map<string, Entry>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly log: Logger,
    private readonly options: LogThrottleOptions,
  ) {
    this.timer = setInterval(() => this.flush(), options.windowMs);
    // A log summary must never keep a process alive.
    this.timer.unref();
  }

  /** Logs `fields` now if `key` had nothing logged this window; else counts it under `kind`. */
  note(key: string, kind: string, fields: Record<string, unknown>): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.suppressed += 1;
      entry.kinds.set(kind, (entry.kinds.get(kind) ?? 0) + 1);
      return;
    }
    if (this.entries.size >= this.options.maxKeys) {
      const others = this.entries.get(OTHERS) ?? { suppressed: 0, kinds: new Map<string, number>() };
      others.suppressed += 1;
      others.kinds.set(kind, (others.kinds.get(kind) ?? 0) + 1);
      this.entries.set(OTHERS, others);
      return;
    }
    this.entries.set(key, { suppressed: 0, kinds: new Map() });
    this.log[this.options.level]({ ...fields, address: key }, this.options.what);
  }

  /** Writes the summaries of the window that ends now and starts a new one. */
  flush(): void {
    const ended = this.entries;
    this.entries = new Map();
    const seconds = Math.round(this.options.windowMs / 1000);
    for (const [key, entry] of ended) {
      if (entry.suppressed === 0) continue;
      this.log[this.options.level](
        { address: key, count: entry.suppressed, kinds: Object.fromEntries(entry.kinds), windowSeconds: seconds },
        `${this.options.what}: ${entry.suppressed} more from ${key} in the last ${seconds} s`,
      );
    }
  }

  /** Writes what is pending and stops the timer. */
  dispose(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
