/** The live-stats digest, from getStats-shaped Maps: rates, loss, route, quality. */
import { describe, expect, it } from 'vitest';
import { digestStats, qualityOf, sampleStats } from '../../../renderer/call/callStats';

type Stat = Record<string, unknown> & { id: string; type: string };

function report(...stats: Stat[]): Map<string, unknown> {
  return new Map(stats.map((s) => [s.id, s]));
}

/** A Chromium-like report of a video call over a direct (host) or relayed pair, at time `t` (ms). */
function callReport(t: number, counters: { bytesIn: number; bytesOut: number; received: number; lost: number }, relay = false): Map<string, unknown> {
  return report(
    { id: 'T1', type: 'transport', timestamp: t, selectedCandidatePairId: 'CP1' },
    { id: 'CP1', type: 'candidate-pair', timestamp: t, localCandidateId: 'L1', remoteCandidateId: 'R1', currentRoundTripTime: 0.042, nominated: true, state: 'succeeded' },
    { id: 'CP2', type: 'candidate-pair', timestamp: t, localCandidateId: 'L2', remoteCandidateId: 'R1', currentRoundTripTime: 0.9 },
    { id: 'L1', type: 'local-candidate', candidateType: relay ? 'relay' : 'host' },
    { id: 'L2', type: 'local-candidate', candidateType: 'srflx' },
    { id: 'R1', type: 'remote-candidate', candidateType: 'host' },
    { id: 'COa', type: 'codec', mimeType: 'audio/opus' },
    { id: 'COv', type: 'codec', mimeType: 'video/VP8' },
    { id: 'IA', type: 'inbound-rtp', kind: 'audio', timestamp: t, bytesReceived: counters.bytesIn / 4, packetsReceived: counters.received / 2, packetsLost: counters.lost, jitter: 0.004, codecId: 'COa' },
    { id: 'IV', type: 'inbound-rtp', kind: 'video', timestamp: t, bytesReceived: (counters.bytesIn * 3) / 4, packetsReceived: counters.received / 2, packetsLost: 0, jitter: 0.011, frameWidth: 640, frameHeight: 480, framesPerSecond: 15, codecId: 'COv' },
    { id: 'IS', type: 'inbound-rtp', kind: 'video', timestamp: t, bytesReceived: 0, packetsReceived: 0, frameWidth: 1920, frameHeight: 1080 },
    { id: 'OV', type: 'outbound-rtp', kind: 'video', timestamp: t, bytesSent: counters.bytesOut, packetsSent: 10, frameWidth: 320, frameHeight: 240, framesPerSecond: 14.6, codecId: 'COv' },
    { id: 'RIV', type: 'remote-inbound-rtp', kind: 'video', timestamp: t, fractionLost: 0.01, roundTripTime: 0.05 },
  );
}

describe('call statistics digest', () => {
  it('turns two samples a second apart into bitrates, loss since the last sample, RTT, jitter, pictures and codecs', () => {
    const first = sampleStats(callReport(10_000, { bytesIn: 100_000, bytesOut: 50_000, received: 1000, lost: 0 }));
    const second = sampleStats(callReport(11_000, { bytesIn: 225_000, bytesOut: 112_500, received: 1190, lost: 10 }));
    const digest = digestStats(first, second);
    expect(digest.kbpsIn).toBeCloseTo(1000); // 125 000 bytes in 1 s
    expect(digest.kbpsOut).toBeCloseTo(500);
    expect(digest.lossInPct).toBeCloseTo(5); // 10 lost of 200 in that second
    expect(digest.lossOutPct).toBeCloseTo(1);
    expect(digest.rttMs).toBeCloseTo(42); // the selected pair, not the other one
    expect(digest.jitterMs).toBeCloseTo(11);
    expect(digest.videoIn).toEqual({ width: 1920, height: 1080, fps: null });
    expect(digest.videoOut).toEqual({ width: 320, height: 240, fps: 14.6 });
    expect(digest.codecs).toEqual(['VP8', 'opus']);
    expect(digest.route).toEqual({ localType: 'host', remoteType: 'host', relayed: false });
    expect(digest.quality).toBe('fair');
  });

  it('has no rates on the first sample, and counts loss since the start', () => {
    const digest = digestStats(null, sampleStats(callReport(1, { bytesIn: 1, bytesOut: 1, received: 98, lost: 2 })));
    expect(digest.kbpsIn).toBeNull();
    expect(digest.kbpsOut).toBeNull();
    expect(digest.lossInPct).toBeCloseTo(2);
  });

  it('calls a path through a TURN server relayed', () => {
    expect(sampleStats(callReport(1, { bytesIn: 0, bytesOut: 0, received: 0, lost: 0 }, true)).route).toEqual({
      localType: 'relay',
      remoteType: 'host',
      relayed: true,
    });
  });

  it('finds the pair without a transport pointer (Firefox marks it selected) and falls back to RTCP round-trip time', () => {
    const firefox = sampleStats(
      report(
        { id: 'P', type: 'candidate-pair', selected: true, localCandidateId: 'L', remoteCandidateId: 'R' },
        { id: 'L', type: 'local-candidate', candidateType: 'srflx' },
        { id: 'R', type: 'remote-candidate', candidateType: 'prflx' },
        { id: 'RI', type: 'remote-inbound-rtp', roundTripTime: 0.2 },
      ),
    );
    expect(firefox.route).toEqual({ localType: 'srflx', remoteType: 'prflx', relayed: false });
    expect(firefox.rttMs).toBeCloseTo(200);
  });

  it('survives a report of strangers: unknown types, missing and non-numeric fields', () => {
    const odd = sampleStats(report({ id: 'x', type: 'inbound-rtp', bytesReceived: 'many' }, { id: 'y', type: 'media-playout' }));
    expect(odd).toMatchObject({ bytesIn: 0, rttMs: null, route: null, codecs: [] });
    expect(digestStats(null, odd).quality).toBe('unknown');
  });

  it('marks quality good, fair or poor from loss and round-trip time', () => {
    expect(qualityOf({ rttMs: 40, lossInPct: 0, lossOutPct: 0.5 })).toBe('good');
    expect(qualityOf({ rttMs: 350, lossInPct: 0, lossOutPct: null })).toBe('fair');
    expect(qualityOf({ rttMs: 40, lossInPct: 3, lossOutPct: null })).toBe('fair');
    expect(qualityOf({ rttMs: 900, lossInPct: 0, lossOutPct: 0 })).toBe('poor');
    expect(qualityOf({ rttMs: null, lossInPct: null, lossOutPct: 12 })).toBe('poor');
    expect(qualityOf({ rttMs: null, lossInPct: null, lossOutPct: null })).toBe('unknown');
  });
});
