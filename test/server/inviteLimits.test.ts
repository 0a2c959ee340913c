import { describe, expect, it } from 'vitest';
import { InviteLimiter } from '../../signaling-server/inviteLimits';
import { DEFAULT_INVITE_LIMITS } from '../../signaling-server/options';

function limiter(maxEntries?: number) {
  let now = 1_000_000;
  const l = new InviteLimiter(DEFAULT_INVITE_LIMITS, () => now, maxEntries);
  return { l, advance: (ms: number) => (now += ms) };
}

describe('InviteLimiter', () => {
  it('refills one ring per interval, and says how long until the next', () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 3; i++) expect(l.take('mallory', 'bob')).toEqual({ ok: true });
    expect(l.take('mallory', 'bob')).toEqual({ ok: false, scope: 'pair', retryInMs: 10_000 });
    advance(4_000);
    expect(l.take('mallory', 'bob')).toEqual({ ok: false, scope: 'pair', retryInMs: 6_000 });
    advance(6_000);
    expect(l.take('mallory', 'bob')).toEqual({ ok: true });
  });

  it('takes from neither bucket when one is empty, so a refused pair costs nothing of the caller limit', () => {
    const { l } = limiter();
    for (let i = 0; i < 3; i++) l.take('mallory', 'bob');
    for (let i = 0; i < 20; i++) expect(l.take('mallory', 'bob')).toMatchObject({ ok: false, scope: 'pair' });
    // 3 of the 10 per-caller rings are used.
    for (let i = 0; i < 7; i++) expect(l.take('mallory', `victim-${i}`)).toEqual({ ok: true });
    expect(l.take('mallory', 'victim-x')).toMatchObject({ ok: false, scope: 'caller', retryInMs: 3_000 });
  });

  it('forgets callers that have been idle long enough to be full again, and stays bounded under a flood', () => {
    const { l, advance } = limiter(1_000);
    for (let i = 0; i < 500; i++) l.take(`caller-${i}`, 'bob');
    expect(l.size).toBe(1_000);
    advance(60_000);
    // Each use sweeps a couple of idle entries (amortised, no timer).
    for (let i = 0; i < 600; i++) l.take('someone', `callee-${i % 2}`);
    expect(l.size).toBeLessThan(100);
    for (let i = 0; i < 10_000; i++) l.take(`flood-${i}`, `target-${i}`);
    expect(l.size).toBeLessThanOrEqual(2_000);
  });
});
