/**
 * Live call statistics, digested from getStats() reports (W3C webrtc-stats): what
 * one peer connection's overlay shows, and a good/fair/poor mark for its tile.
 * Pure: a report is any Map of stats objects, read as `unknown`, so tests feed it
 * plain objects and a browser that omits a field only costs that field.
 *
 * Rates need two samples: `sampleStats` reads the cumulative counters of one
 * report, `digestStats` turns two samples into per-second figures.
 */

type Stat = Record<string, unknown>;

export interface VideoFormat {
  width: number;
  height: number;
  /** Frames per second, when the browser reports it. */
  fps: number | null;
}

export interface StatsSample {
  /** ms, from the stats' own timestamps. */
  at: number;
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsLostIn: number;
  /** Worst inbound jitter, ms. */
  jitterMs: number | null;
  /** Round-trip time of the selected candidate pair (or of RTCP), ms. */
  rttMs: number | null;
  /** What the far end reports losing of what I send (RTCP fractionLost), 0..1. */
  lossOut: number | null;
  /** The largest inbound / outbound picture (with a screen share that is the screen). */
  videoIn: VideoFormat | null;
  videoOut: VideoFormat | null;
  codecs: string[];
  route: Route | null;
}

export interface Route {
  localType: string;
  remoteType: string;
  /** True when either end of the selected pair is a TURN relay candidate. */
  relayed: boolean;
}

export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

export interface StatsDigest {
  rttMs: number | null;
  /** Percent of inbound packets lost since the previous sample. */
  lossInPct: number | null;
  lossOutPct: number | null;
  jitterMs: number | null;
  kbpsIn: number | null;
  kbpsOut: number | null;
  videoIn: VideoFormat | null;
  videoOut: VideoFormat | null;
  codecs: string[];
  route: Route | null;
  quality: Quality;
}

/** Thresholds for the tile mark (ITU-T G.114 puts the comfort limit of one-way delay near 150 ms). */
export const QUALITY = {
  goodLossPct: 2,
  poorLossPct: 8,
  goodRttMs: 300,
  poorRttMs: 700,
} as const;

function num(stat: Stat, key: string): number | null {
  const value = stat[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(stat: Stat, key: string): string | null {
  const value = stat[key];
  return typeof value === 'string' ? value : null;
}

function entries(report: ReadonlyMap<string, unknown>): Stat[] {
  const out: Stat[] = [];
  for (const value of report.values()) if (typeof value === 'object' && value !== null) out.push(value as Stat);
  return out;
}

function larger(a: VideoFormat | null, b: VideoFormat | null): VideoFormat | null {
  if (!a) return b;
  if (!b) return a;
  return b.width * b.height > a.width * a.height ? b : a;
}

function videoFormat(stat: Stat): VideoFormat | null {
  const width = num(stat, 'frameWidth');
  const height = num(stat, 'frameHeight');
  return width && height ? { width, height, fps: num(stat, 'framesPerSecond') } : null;
}

/** The selected pair: the transport's pointer, else Firefox's `selected`, else the nominated succeeded one. */
function selectedPair(stats: Stat[], byId: ReadonlyMap<string, Stat>): Stat | null {
  for (const s of stats) {
    const id = s.type === 'transport' ? str(s, 'selectedCandidatePairId') : null;
    const pair = id ? byId.get(id) : undefined;
    if (pair) return pair;
  }
  const pairs = stats.filter((s) => s.type === 'candidate-pair');
  return pairs.find((p) => p.selected === true) ?? pairs.find((p) => p.nominated === true && p.state === 'succeeded') ?? null;
}

export function sampleStats(report: ReadonlyMap<string, unknown>): StatsSample {
  const stats = entries(report);
  const byId = new Map<string, Stat>();
  for (const s of stats) {
    const id = str(s, 'id');
    if (id) byId.set(id, s);
  }
  const sample: StatsSample = {
    at: 0,
    bytesIn: 0,
    bytesOut: 0,
    packetsIn: 0,
    packetsLostIn: 0,
    jitterMs: null,
    rttMs: null,
    lossOut: null,
    videoIn: null,
    videoOut: null,
    codecs: [],
    route: null,
  };
  const codecs = new Set<string>();
  const codecOf = (s: Stat): void => {
    const codec = byId.get(str(s, 'codecId') ?? '');
    const mime = codec ? str(codec, 'mimeType') : null;
    if (mime) codecs.add(mime.split('/').pop() ?? mime);
  };
  let rtcpRtt: number | null = null;
  for (const s of stats) {
    sample.at = Math.max(sample.at, num(s, 'timestamp') ?? 0);
    if (s.type === 'inbound-rtp') {
      sample.bytesIn += num(s, 'bytesReceived') ?? 0;
      sample.packetsIn += num(s, 'packetsReceived') ?? 0;
      sample.packetsLostIn += Math.max(0, num(s, 'packetsLost') ?? 0);
      const jitter = num(s, 'jitter');
      if (jitter !== null) sample.jitterMs = Math.max(sample.jitterMs ?? 0, jitter * 1000);
      if (s.kind === 'video') sample.videoIn = larger(sample.videoIn, videoFormat(s));
      if ((num(s, 'packetsReceived') ?? 0) > 0) codecOf(s);
    } else if (s.type === 'outbound-rtp') {
      sample.bytesOut += num(s, 'bytesSent') ?? 0;
      if (s.kind === 'video') sample.videoOut = larger(sample.videoOut, videoFormat(s));
      if ((num(s, 'packetsSent') ?? 0) > 0) codecOf(s);
    } else if (s.type === 'remote-inbound-rtp') {
      const lost = num(s, 'fractionLost');
      if (lost !== null) sample.lossOut = Math.max(sample.lossOut ?? 0, lost);
      const rtt = num(s, 'roundTripTime');
      if (rtt !== null) rtcpRtt = Math.max(rtcpRtt ?? 0, rtt);
    }
  }
  const pair = selectedPair(stats, byId);
  if (pair) {
    const rtt = num(pair, 'currentRoundTripTime');
    if (rtt !== null) sample.rttMs = rtt * 1000;
    const local = byId.get(str(pair, 'localCandidateId') ?? '');
    const remote = byId.get(str(pair, 'remoteCandidateId') ?? '');
    const localType = local ? str(local, 'candidateType') : null;
    const remoteType = remote ? str(remote, 'candidateType') : null;
    if (localType && remoteType) {
      sample.route = { localType, remoteType, relayed: localType === 'relay' || remoteType === 'relay' };
    }
  }
  if (sample.rttMs === null && rtcpRtt !== null) sample.rttMs = rtcpRtt * 1000;
  sample.codecs = [...codecs].sort();
  return sample;
}

function rateKbps(bytesNow: number, bytesBefore: number, ms: number): number | null {
  if (ms <= 0 || bytesNow < bytesBefore) return null;
  // bytes·8 / ms = bits per ms = kbit/s
  return ((bytesNow - bytesBefore) * 8) / ms;
}

function lossPct(lost: number, received: number): number | null {
  const total = lost + received;
  return total > 0 ? (lost / total) * 100 : null;
}

export function qualityOf(digest: Pick<StatsDigest, 'rttMs' | 'lossInPct' | 'lossOutPct'>): Quality {
  const losses = [digest.lossInPct, digest.lossOutPct].filter((l): l is number => l !== null);
  const loss = losses.length > 0 ? Math.max(...losses) : null;
  const rtt = digest.rttMs;
  if (loss === null && rtt === null) return 'unknown';
  if ((loss ?? 0) >= QUALITY.poorLossPct || (rtt ?? 0) >= QUALITY.poorRttMs) return 'poor';
  if ((loss ?? 0) >= QUALITY.goodLossPct || (rtt ?? 0) >= QUALITY.goodRttMs) return 'fair';
  return 'good';
}

/** Per-second figures between two samples; with no previous sample, rates are unknown and loss is cumulative. */
export function digestStats(previous: StatsSample | null, current: StatsSample): StatsDigest {
  const ms = previous ? current.at - previous.at : 0;
  const lossInPct = previous
    ? lossPct(current.packetsLostIn - previous.packetsLostIn, current.packetsIn - previous.packetsIn)
    : lossPct(current.packetsLostIn, current.packetsIn);
  const partial = {
    rttMs: current.rttMs,
    lossInPct,
    lossOutPct: current.lossOut === null ? null : current.lossOut * 100,
  };
  return {
    ...partial,
    jitterMs: current.jitterMs,
    kbpsIn: previous ? rateKbps(current.bytesIn, previous.bytesIn, ms) : null,
    kbpsOut: previous ? rateKbps(current.bytesOut, previous.bytesOut, ms) : null,
    videoIn: current.videoIn,
    videoOut: current.videoOut,
    codecs: current.codecs,
    route: current.route,
    quality: qualityOf(partial),
  };
}
