/** The lines of a participant's live statistics overlay, and the tile's quality wording. Pure. */
import type { Quality, StatsDigest } from '../call/featureTypes';
import { formatNumber, t } from '../i18n';

/** Locale keys of the ICE candidate types (looked up when a line is built). */
const CANDIDATE_KEYS = { host: 'stats.host', srflx: 'stats.srflx', prflx: 'stats.prflx', relay: 'stats.relay' } as const;

function candidate(type: string): string {
  return type in CANDIDATE_KEYS ? t(CANDIDATE_KEYS[type as keyof typeof CANDIDATE_KEYS]) : type;
}

function ms(value: number | null): string {
  return value === null ? '—' : t('stats.ms', { value: formatNumber(Math.round(value)) });
}

function pct(value: number | null): string {
  if (value === null) return '—';
  return t('stats.pct', { value: formatNumber(value < 10 ? Number(value.toFixed(1)) : Math.round(value), { minimumFractionDigits: value < 10 ? 1 : 0 }) });
}

function kbps(value: number | null): string {
  if (value === null) return '—';
  return value >= 1000
    ? t('stats.mbps', { value: formatNumber(value / 1000, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) })
    : t('stats.kbps', { value: formatNumber(Math.round(value)) });
}

function video(format: StatsDigest['videoIn']): string {
  if (!format) return '—';
  const size = `${format.width}×${format.height}`;
  return format.fps === null ? size : t('stats.fps', { size, fps: Math.round(format.fps) });
}

export interface StatsLine {
  /** Stable, language-independent name of the line (tests and data-stat attributes use it). */
  id: string;
  label: string;
  value: string;
}

export function statsLines(d: StatsDigest): StatsLine[] {
  const ends = d.route ? { local: candidate(d.route.localType), remote: candidate(d.route.remoteType) } : null;
  const route = d.route && ends ? (d.route.relayed ? t('stats.relayed', ends) : t('stats.direct', ends)) : '—';
  return [
    { id: 'Round trip', label: t('stats.roundTrip'), value: ms(d.rttMs) },
    { id: 'Packet loss', label: t('stats.packetLoss'), value: t('stats.lossValue', { in: pct(d.lossInPct), out: pct(d.lossOutPct) }) },
    { id: 'Jitter', label: t('stats.jitter'), value: ms(d.jitterMs) },
    { id: 'Bitrate in', label: t('stats.bitrateIn'), value: kbps(d.kbpsIn) },
    { id: 'Bitrate out', label: t('stats.bitrateOut'), value: kbps(d.kbpsOut) },
    { id: 'Video in', label: t('stats.videoIn'), value: video(d.videoIn) },
    { id: 'Video out', label: t('stats.videoOut'), value: video(d.videoOut) },
    { id: 'Codecs', label: t('stats.codecs'), value: d.codecs.length > 0 ? d.codecs.join(', ') : '—' },
    { id: 'Route', label: t('stats.route'), value: route },
  ];
}

/** The tile's quality wording, in the language in force when it is read. */
export function qualityText(quality: Quality): string {
  switch (quality) {
    case 'good':
      return t('stats.good');
    case 'fair':
      return t('stats.fair');
    case 'poor':
      return t('stats.poor');
    case 'unknown':
      return t('stats.unknown');
  }
}

/** The same, as a record (each read looks the text up in the language in force). */
export const QUALITY_TEXT: Readonly<Record<Quality, string>> = {
  get good() {
    return qualityText('good');
  },
  get fair() {
    return qualityText('fair');
  },
  get poor() {
    return qualityText('poor');
  },
  get unknown() {
    return qualityText('unknown');
  },
};
