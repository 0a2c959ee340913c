/**
 * Polls getStats of each connection and hands out a digest per remote device
 * (callStats.ts). One tick at a time, like the speaker poll: a slow getStats delays
 * the next poll instead of piling up.
 */
import { log } from '../log';
import { digestStats, sampleStats, type StatsDigest, type StatsSample } from './callStats';
import type { PeerConnectionLike } from './peerConnection';

export const STATS_POLL_MS = 1000;

export function pollStats(
  targets: () => Iterable<[string, PeerConnectionLike]>,
  onDigests: (digests: Readonly<Record<string, StatsDigest>>) => void,
  intervalMs = STATS_POLL_MS,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const previous = new Map<PeerConnectionLike, StatsSample>();

  const tick = async (): Promise<void> => {
    const digests: Record<string, StatsDigest> = {};
    const seen = new Set<PeerConnectionLike>();
    await Promise.all(
      [...targets()].map(async ([deviceId, pc]) => {
        seen.add(pc);
        try {
          const sample = sampleStats(await pc.getStats());
          digests[deviceId] = digestStats(previous.get(pc) ?? null, sample);
          previous.set(pc, sample);
        } catch (error) {
          // A connection closing under us has no stats; the next poll skips it.
          log.child('call.stats').debug(`no stats from device ${deviceId} (its connection is closing)`, error);
        }
      }),
    );
    for (const pc of [...previous.keys()]) if (!seen.has(pc)) previous.delete(pc);
    if (stopped) return;
    onDigests(digests);
    timer = setTimeout(() => void tick(), intervalMs);
  };
  timer = setTimeout(() => void tick(), intervalMs);

  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
  };
}
