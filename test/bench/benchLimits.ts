/**
 * The invite limits of the servers a benchmark runs. A benchmark rings the same
 * contact dozens of times a minute; the anti-spam defaults (3 in a row per pair,
 * then one per 10 s — signaling-server/options.ts) would refuse the 4th quick call
 * and the bench would wait for a ringing card that never comes.
 */
export const BENCH_INVITE_LIMITS = {
  perPair: { burst: 1_000, intervalMs: 1 },
  perCaller: { burst: 1_000, intervalMs: 1 },
} as const;
