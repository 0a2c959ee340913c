import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LogThrottle } from '../../signaling-server/logThrottle';

const throttles: LogThrottle[] = [];
afterEach(() => {
  for (const t of throttles.splice(0)) t.dispose();
});

function throttled(maxKeys: number) {
  const lines: { msg: string; address: string; count?: number; kinds?: Record<string, number> }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as (typeof lines)[number]);
      done();
    },
  });
  const throttle = new LogThrottle(pino({ level: 'info' }, sink), { what: 'connection refused', level: 'info', windowMs: 60_000, maxKeys });
  throttles.push(throttle);
  return { throttle, lines };
}

describe('LogThrottle', () => {
  it('logs the first event of each address in a window and sums up the rest when the window ends', () => {
    const { throttle, lines } = throttled(100);
    for (let i = 0; i < 500; i++) throttle.note('203.0.113.7', i % 5 === 0 ? 'rate_limited' : 'auth_failed', { code: 'auth_failed' });
    throttle.note('198.51.100.1', 'auth_failed', { code: 'auth_failed' });
    expect(lines.map((l) => l.address)).toEqual(['203.0.113.7', '198.51.100.1']);
    throttle.flush();
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({
      msg: 'connection refused: 499 more from 203.0.113.7 in the last 60 s',
      count: 499,
      kinds: { auth_failed: 400, rate_limited: 99 },
    });
    // A new window logs afresh.
    throttle.note('203.0.113.7', 'auth_failed', { code: 'auth_failed' });
    expect(lines).toHaveLength(4);
  });

  it('counts addresses beyond its cap together instead of growing', () => {
    const { throttle, lines } = throttled(10);
    for (let i = 0; i < 1_000; i++) throttle.note(`10.0.${Math.floor(i / 256)}.${i % 256}`, 'auth_failed', {});
    expect(lines).toHaveLength(10);
    throttle.flush();
    expect(lines.at(-1)).toMatchObject({ address: 'other addresses', count: 990 });
  });
});
