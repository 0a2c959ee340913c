/**
 * Who is speaking, from the inbound audio levels that getStats reports about every
 * 500 ms (RTCInboundRtpStreamStats.audioLevel: 0..1, linear, 1 = 0 dBov).
 *
 * Hysteresis keeps the marks calm: speaking starts at a louder level than it stops,
 * and stops only after a few quiet polls in a row (the pauses between words); the
 * active speaker changes only when someone else is clearly louder.
 */

export const SPEECH = {
  /** ≈ −28 dBov: ordinary speech on a headset or laptop microphone. */
  startLevel: 0.04,
  /** ≈ −36 dBov: below this a poll counts as quiet. */
  stopLevel: 0.015,
  /** Quiet polls in a row before speaking stops (3 × 500 ms). */
  quietPollsToStop: 3,
  /** How much louder someone must be to take the active-speaker mark. */
  takeOverFactor: 2,
} as const;

export interface SpeechState {
  speaking: boolean;
  quietPolls: number;
  level: number;
}

export const SILENT: SpeechState = { speaking: false, quietPolls: 0, level: 0 };

export function nextSpeech(prev: SpeechState, level: number): SpeechState {
  if (level >= SPEECH.startLevel) return { speaking: true, quietPolls: 0, level };
  if (!prev.speaking) return { speaking: false, quietPolls: 0, level };
  if (level >= SPEECH.stopLevel) return { speaking: true, quietPolls: 0, level };
  const quietPolls = prev.quietPolls + 1;
  return quietPolls >= SPEECH.quietPollsToStop
    ? { speaking: false, quietPolls: 0, level }
    : { speaking: true, quietPolls, level };
}

/** The loudest speaker, keeping the current one until someone is clearly louder. */
export function pickActiveSpeaker(
  current: string | null,
  speech: Readonly<Record<string, SpeechState>>,
): string | null {
  let loudest: string | null = null;
  let loudestLevel = -1;
  for (const [id, s] of Object.entries(speech)) {
    if (s.speaking && s.level > loudestLevel) {
      loudest = id;
      loudestLevel = s.level;
    }
  }
  const held = current === null ? undefined : speech[current];
  if (current === null || !held?.speaking) return loudest;
  if (loudest !== null && loudest !== current && loudestLevel >= held.level * SPEECH.takeOverFactor) {
    return loudest;
  }
  return current;
}

/** The loudest inbound audio level in a getStats report, or null when there is none. */
export function inboundAudioLevel(report: ReadonlyMap<string, unknown>): number | null {
  let level: number | null = null;
  for (const stat of report.values()) {
    if (typeof stat !== 'object' || stat === null) continue;
    const s = stat as { type?: unknown; kind?: unknown; audioLevel?: unknown };
    if (s.type !== 'inbound-rtp' || s.kind !== 'audio' || typeof s.audioLevel !== 'number') continue;
    if (level === null || s.audioLevel > level) level = s.audioLevel;
  }
  return level;
}
