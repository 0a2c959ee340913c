/**
 * The presence verdict (scaleBench.ts scaleVerdicts): a round in which either server
 * lost clients voids it. Numbers are made up here; nothing is timed.
 */
import { describe, expect, it } from 'vitest';
import type { SignalingRun } from '../signaling/signalingBench';
import { scaleVerdicts } from './scaleBench';

function run(kind: 'parley' | 'bare', connectMs: number, connected = 10_000): SignalingRun {
  return {
    kind,
    clients: 10_000,
    connected,
    connectMs,
    heapPerClientBytes: 0,
    rssPerClientBytes: 0,
    heapBytes: { empty: 0, loaded: 0 },
    rssBytes: { empty: 0, loaded: 0 },
    latencyUs: null,
    signalsSent: 0,
    signalsRefused: 0,
    signalsLost: 0,
    serverDuringRelay: null,
    firstProblem: connected === 10_000 ? null : 'no answer to the handshake within 90 s',
  };
}

function presence(rounds: { parley: SignalingRun; bare: SignalingRun }[]) {
  const ms = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const medianParleyMs = ms(rounds.map((r) => r.parley.connectMs));
  const medianBareMs = ms(rounds.map((r) => r.bare.connectMs));
  return {
    rounds: rounds.map((r) => ({ first: 'bare' as const, ...r, connectRatio: r.parley.connectMs / r.bare.connectMs })),
    medianParleyMs,
    medianBareMs,
    connectRatio: medianParleyMs / medianBareMs,
  };
}

describe('the presence verdict', () => {
  it('is MET when every client of both servers connected and the ratio is within the target', () => {
    const [verdict] = scaleVerdicts({ presence: presence([{ parley: run('parley', 60_000), bare: run('bare', 50_000) }]), capacity: null, storm: null });
    expect(verdict?.met).toBe(true);
  });

  it('is MISSED when the bare relay lost clients, however good the ratio looks', () => {
    const [verdict] = scaleVerdicts({ presence: presence([{ parley: run('parley', 50_000), bare: run('bare', 460_000, 9_998) }]), capacity: null, storm: null });
    expect(verdict?.met).toBe(false);
    expect(verdict?.measured).toContain('not all connected');
  });

  it('is MISSED when Parley lost clients', () => {
    const [verdict] = scaleVerdicts({ presence: presence([{ parley: run('parley', 50_000, 9_000), bare: run('bare', 50_000) }]), capacity: null, storm: null });
    expect(verdict?.met).toBe(false);
  });
});

describe('the reconnect storm verdict', () => {
  const storm = (kind: 'parley' | 'bare', back: number, stormMs: number) => ({
    kind,
    clients: 10_000,
    connectedBefore: 10_000,
    back,
    rejoined: kind === 'parley' ? 2_000 : 0,
    toRejoin: kind === 'parley' ? 2_000 : 0,
    failed: 10_000 - back,
    stormMs,
    firstProblem: back === 10_000 ? null : 'not back within 90 s',
  });

  it('gives no ratio when the bare relay’s clients did not all come back (its time is not a yardstick then)', () => {
    const parley = storm('parley', 10_000, 14_600);
    const bare = storm('bare', 0, 0);
    const [verdict] = scaleVerdicts({ presence: null, capacity: null, storm: { parley, bare, ratio: Number.POSITIVE_INFINITY } });
    expect(verdict?.measured).toContain('did not complete');
    expect(verdict?.measured).not.toContain('×');
  });

  it('compares with the bare relay when both runs completed', () => {
    const [verdict] = scaleVerdicts({ presence: null, capacity: null, storm: { parley: storm('parley', 10_000, 14_600), bare: storm('bare', 10_000, 7_300), ratio: 2 } });
    expect(verdict?.met).toBe(true);
    expect(verdict?.measured).toContain('bare 7.3 s (2.00×)');
  });
});
