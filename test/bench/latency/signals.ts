/**
 * The pure parts of the glass-to-glass latency bench (latencyBench.ts), shared by
 * the pages (their sources are injected with pageScripts.ts) and Node:
 * - a frame's capture time as a bar code: 24 bits of the machine-clock
 *   millisecond (modulo 2^24, about 4.7 hours) and a CRC-8 of them, 32 vertical
 *   bars, white = 1; read back from the luminance of each bar, rejected when the
 *   CRC does not match (a frame the encoder smeared);
 * - the click detector: onsets of audio bursts in successive, overlapping
 *   windows of samples (an AnalyserNode's time-domain buffer read on a timer);
 * - pairing each received click with the click sent just before it.
 * These functions use no imports and no outer names but each other, so that
 * their sources run in a page as they are (pageScripts.ts injects them all).
 */

export const CODE_BITS = 24;
export const CRC_BITS = 8;
export const BAR_COUNT = CODE_BITS + CRC_BITS;

/** CRC-8 (polynomial 0x07) of the three bytes of a 24-bit value. */
export function crc8of24(value: number): number {
  let crc = 0;
  for (const byte of [(value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** The 32 bars (most significant bit first) that carry `timeMs` modulo 2^24 and its CRC. */
export function encodeTimestamp(timeMs: number): number[] {
  if (!Number.isFinite(timeMs) || timeMs < 0) throw new RangeError(`encodeTimestamp: a time in ms since the epoch, not ${timeMs}`);
  const code = Math.floor(timeMs) % 16_777_216;
  const crc = crc8of24(code);
  const bits: number[] = [];
  for (let i = 23; i >= 0; i--) bits.push(Math.floor(code / 2 ** i) % 2);
  for (let i = 7; i >= 0; i--) bits.push((crc >>> i) & 1);
  return bits;
}

/**
 * The 24-bit code read from the luminance (0–255) of each of the 32 bars, or null
 * when there are not 32 or the CRC does not match.
 */
export function decodeBars(luminance: readonly number[]): number | null {
  if (luminance.length !== 32) return null;
  let code = 0;
  let crc = 0;
  for (let i = 0; i < 32; i++) {
    const bit = (luminance[i] ?? 0) >= 128 ? 1 : 0;
    if (i < 24) code = code * 2 + bit;
    else crc = crc * 2 + bit;
  }
  return crc === crc8of24(code) ? code : null;
}

/**
 * The full capture time of a 24-bit `code` read at machine-clock `nowMs`: the time
 * nearest to now (within ±2^23 ms, 2.3 hours) whose low 24 bits are `code`; a
 * negative latency from clock reads is kept, not wrapped around.
 */
export function unwrapTimestamp(code: number, nowMs: number): number {
  const span = 16_777_216;
  let diff = (((Math.floor(nowMs) - code) % span) + span) % span;
  if (diff >= span / 2) diff -= span;
  return Math.floor(nowMs) - diff;
}

/**
 * Mean luminance of each of `bars` equal-width vertical bars in an RGBA image of
 * `width` × `height`, from the middle half of each bar (its edges blur).
 */
export function barLuminance(rgba: ArrayLike<number>, width: number, height: number, bars: number): number[] {
  const out: number[] = [];
  const barWidth = width / bars;
  for (let b = 0; b < bars; b++) {
    const from = Math.floor(b * barWidth + barWidth / 4);
    const to = Math.max(from + 1, Math.floor(b * barWidth + (3 * barWidth) / 4));
    let sum = 0;
    let n = 0;
    for (let y = 0; y < height; y++) {
      for (let x = from; x < to && x < width; x++) {
        const i = (y * width + x) * 4;
        sum += 0.299 * (rgba[i] ?? 0) + 0.587 * (rgba[i + 1] ?? 0) + 0.114 * (rgba[i + 2] ?? 0);
        n++;
      }
    }
    out.push(n > 0 ? sum / n : 0);
  }
  return out;
}

export interface ClickDetectorState {
  /** Machine-clock time of the last sample already looked at. */
  seenUntil: number;
  /** Time of the last sample above the threshold. */
  lastLoud: number;
}

export function newClickDetector(): ClickDetectorState {
  return { seenUntil: Number.NEGATIVE_INFINITY, lastLoud: Number.NEGATIVE_INFINITY };
}

/**
 * Onsets in one window of samples whose last sample is at machine-clock `endMs`:
 * a sample above `threshold` (absolute) after at least `quietMs` without one.
 * Samples at or before `state.seenUntil` (the overlap with the last window) are
 * skipped. Mutates `state`; returns the onset times, in ms.
 */
export function detectClicks(
  state: ClickDetectorState,
  samples: ArrayLike<number>,
  endMs: number,
  sampleRate: number,
  threshold: number,
  quietMs: number,
): number[] {
  const onsets: number[] = [];
  const n = samples.length;
  const msPerSample = 1000 / sampleRate;
  for (let i = 0; i < n; i++) {
    const t = endMs - (n - 1 - i) * msPerSample;
    if (t <= state.seenUntil) continue;
    if (Math.abs(samples[i] ?? 0) > threshold) {
      if (t - state.lastLoud >= quietMs) onsets.push(t);
      state.lastLoud = t;
    }
  }
  if (n > 0) state.seenUntil = Math.max(state.seenUntil, endMs);
  return onsets;
}

/**
 * Latency of each received click: received − the latest click sent at or before
 * it, if that is less than `maxMs` (clicks are spaced wider than any latency
 * measured, so the pairing is unambiguous); received clicks with no such click
 * sent are left out (counted by the caller as unmatched).
 */
export function matchClicks(sent: readonly number[], received: readonly number[], maxMs: number): number[] {
  const sorted = [...sent].sort((a, b) => a - b);
  const out: number[] = [];
  for (const r of received) {
    let best: number | null = null;
    for (const s of sorted) {
      if (s <= r) best = s;
      else break;
    }
    if (best !== null && r - best < maxMs) out.push(r - best);
  }
  return out;
}
