/**
 * Polls each connection's inbound audio level for the active-speaker marks.
 * One tick at a time: a slow getStats delays the next poll instead of piling up.
 */
import { log } from '../log';
import type { PeerConnectionLike } from './peerConnection';
import { inboundAudioLevel } from './speakerDetection';

export const SPEAKER_POLL_MS = 500;

export function pollAudioLevels(
  targets: () => Iterable<[string, PeerConnectionLike]>,
  onLevels: (levels: Record<string, number>) => void,
  intervalMs = SPEAKER_POLL_MS,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const tick = async (): Promise<void> => {
    const levels: Record<string, number> = {};
    await Promise.all(
      [...targets()].map(async ([deviceId, pc]) => {
        try {
          const level = inboundAudioLevel(await pc.getStats());
          if (level !== null) levels[deviceId] = level;
        } catch (error) {
          // A connection closing under us has no stats; the next poll skips it.
          log.child('call.speaker').debug(`no audio level from device ${deviceId} (its connection is closing)`, error);
        }
      }),
    );
    if (stopped) return;
    onLevels(levels);
    timer = setTimeout(() => void tick(), intervalMs);
  };
  timer = setTimeout(() => void tick(), intervalMs);

  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
  };
}
