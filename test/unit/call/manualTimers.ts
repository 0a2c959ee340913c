/**
 * Timers a test moves by hand: `advance(ms)` runs, in time order, every callback
 * that falls due. Injected as the call engine's `timers` (iceRecovery.ts), so the
 * recovery policy's 3 s and 5 s take no real time.
 */
import type { Timers } from '../../../renderer/call/iceRecovery';

export class ManualTimers implements Timers {
  now = 0;
  private next = 1;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.next++;
    this.due.set(id, { at: this.now + ms, fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.due.delete(handle as number);
  };

  /** How many callbacks wait. */
  get pending(): number {
    return this.due.size;
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let first: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.due) if (entry[1].at <= until && (!first || entry[1].at < first[1].at)) first = entry;
      if (!first) break;
      this.due.delete(first[0]);
      this.now = first[1].at;
      first[1].fn();
    }
    this.now = until;
  }
}

/** The same timers as the signaling server's Clock, so the server's ring and grace timers move with the test too. */
export function manualClock(timers: ManualTimers): { now(): number; setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void } {
  return { now: () => timers.now, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout };
}
