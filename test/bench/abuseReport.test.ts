/**
 * The abuse benchmark's verdict and table (test/bench/abuse/abuseBench.ts): what
 * its numbers mean, from made-up phases. No timing is asserted: `npm run bench`
 * measures and prints.
 */
import { describe, expect, it } from 'vitest';
import { formatAbuse, judgeAbuse, type AbusePhase } from './abuse/abuseBench';
import { summarize } from './stats';

const phase = (name: string, attacks: AbusePhase['attacks'], rttMs: number[], quietP99 = 10): AbusePhase => {
  const rtt = summarize(rttMs);
  return {
    name,
    attacks,
    seconds: 8,
    rtt,
    lost: 0,
    p99Ratio: rtt.p99 / quietP99,
    health: summarize([1, 2]),
    server: { logLines: 3, logBytes: 2048, loopDelayP99Ms: 12, loopDelayMaxMs: 20, cpuMs: 400, wallMs: 8_000 },
    load: 1.5,
    attack:
      attacks.length === 0
        ? null
        : {
            connectsSent: 800,
            connectAnswers: { auth_failed: 10, rate_limited: 20 },
            connectionsOpened: 30,
            connectionsDropped: 5_000,
            invitesSent: 8_000,
            inviteAnswers: { rate_limited: 7_000, ok: 40 },
            kicked: 10,
            reconnectsRefused: 300,
            victimRings: 40,
          },
  };
};

describe('the abuse benchmark verdict', () => {
  it('is MET only when every attacked phase kept the honest p99 under 50 ms', () => {
    const quiet = phase('a. quiet', [], [2, 3, 10]);
    expect(judgeAbuse([quiet, phase('b. handshake flood', ['handshakes'], [3, 4, 49])]).met).toBe(true);
    expect(judgeAbuse([quiet, phase('b. handshake flood', ['handshakes'], [3, 4, 49]), phase('c. invite flood', ['invites'], [3, 50])]).met).toBe(false);
    // Nothing attacked, nothing proven.
    expect(judgeAbuse([quiet]).met).toBe(false);
  });

  it('prints each phase with its ratio to the quiet one, what the attack did, and the verdict', () => {
    const text = formatAbuse(
      judgeAbuse([phase('a. quiet', [], [2, 3, 10]), phase('d. both floods', ['handshakes', 'invites'], [3, 4, 30])]),
    );
    expect(text).toMatch(/d\. both floods +4\.0 ms +30\.0 ms +30\.0 ms +3\.00×/);
    expect(text).toContain('turned away before the WebSocket: 5,000');
    expect(text).toContain('answers: rate_limited 7,000, ok 40');
    expect(text).toMatch(/target: honest signal round trip p99 < 50 ms while attacked — MET \(both floods 30\.0 ms\)/);
  });
});
