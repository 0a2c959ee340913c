/**
 * The relay part of the signaling benchmark: the schedule of windows in which
 * each server's pairs send, and collecting the latencies once every measured
 * signal has arrived.
 */
import type { FromLoad, RelayWindow, ServerKind } from './messages';
import type { LoadProcess } from './processes';

export const NS_PER_MS = 1_000_000n;
const KINDS: readonly ServerKind[] = ['parley', 'bare'];

async function settle(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until every measured signal has arrived (however slow the slowest: they
 * are the p99), then takes the latencies; after 30 s, what has not arrived counts
 * as lost.
 */
export async function collectLatencies(
  load: LoadProcess[],
  relayed: Extract<FromLoad, { type: 'relayed' }>[],
): Promise<Extract<FromLoad, { type: 'collected' }>[]> {
  const expected = (kind: ServerKind): number => relayed.reduce((sum, r) => sum + r[kind].measuredSent - r[kind].refused, 0);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const counts = await Promise.all(load.map((proc) => proc.ask({ type: 'collect', final: false }, 'collected', 30_000)));
    const arrived = (kind: ServerKind): number => counts.reduce((sum, c) => sum + c[kind].received, 0);
    if (KINDS.every((kind) => arrived(kind) >= expected(kind)) || Date.now() > deadline) break;
    await settle(200);
  }
  return Promise.all(load.map((proc) => proc.ask({ type: 'collect', final: true }, 'collected', 30_000)));
}

/** One warm-up window per server, then `windowsPerServer` measured ones each, alternating from `first`. */
export function relaySchedule(startNs: bigint, first: ServerKind, windowMs: number, windowsPerServer: number): RelayWindow[] {
  const second: ServerKind = first === 'parley' ? 'bare' : 'parley';
  const span = BigInt(windowMs) * NS_PER_MS;
  const windows: RelayWindow[] = [];
  for (let i = 0; i < 2 * (windowsPerServer + 1); i++) {
    const start = startNs + BigInt(i) * span;
    windows.push({ kind: i % 2 === 0 ? first : second, startNs: start.toString(), endNs: (start + span).toString(), measured: i >= 2 });
  }
  return windows;
}

