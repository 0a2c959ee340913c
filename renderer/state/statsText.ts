/** The lines of a participant's live statistics overlay, and the tile's quality wording. Pure. */
import type { Quality, StatsDigest } from '../call/featureTypes';

const CANDIDATE_WORDS: Record<string, string> = { host: 'host', srflx: 'STUN', prflx: 'peer-reflexive', relay: 'TURN relay' };

function ms(value: number | null): string {
  return value === null ? '—' : `${Math.round(value)} ms`;
}

function pct(value: number | null): string {
  return value === null ? '—' : `${value < 10 ? value.toFixed(1) : Math.round(value)} %`;
}

function kbps(value: number | null): string {
  if (value === null) return '—';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} Mbit/s` : `${Math.round(value)} kbit/s`;
}

function video(format: StatsDigest['videoIn']): string {
  if (!format) return '—';
  return `${format.width}×${format.height}${format.fps === null ? '' : ` @ ${Math.round(format.fps)} fps`}`;
}

export interface StatsLine {
  label: string;
  value: string;
}

export function statsLines(d: StatsDigest): StatsLine[] {
  const route = d.route
    ? `${d.route.relayed ? 'Relayed' : 'Direct'} (${CANDIDATE_WORDS[d.route.localType] ?? d.route.localType} ↔ ${CANDIDATE_WORDS[d.route.remoteType] ?? d.route.remoteType})`
    : '—';
  return [
    { label: 'Round trip', value: ms(d.rttMs) },
    { label: 'Packet loss', value: `${pct(d.lossInPct)} in · ${pct(d.lossOutPct)} out` },
    { label: 'Jitter', value: ms(d.jitterMs) },
    { label: 'Bitrate in', value: kbps(d.kbpsIn) },
    { label: 'Bitrate out', value: kbps(d.kbpsOut) },
    { label: 'Video in', value: video(d.videoIn) },
    { label: 'Video out', value: video(d.videoOut) },
    { label: 'Codecs', value: d.codecs.length > 0 ? d.codecs.join(', ') : '—' },
    { label: 'Route', value: route },
  ];
}

export const QUALITY_TEXT: Record<Quality, string> = {
  good: 'Good connection',
  fair: 'Fair connection: some delay or loss',
  poor: 'Poor connection: expect breaks in sound and picture',
  unknown: 'Connection quality not known yet',
};
