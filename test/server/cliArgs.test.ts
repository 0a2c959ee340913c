import { describe, expect, it } from 'vitest';
import { parseCli, USAGE } from '../../signaling-server/cliArgs';

const run = (argv: string[], env: Record<string, string> = {}) => {
  const decision = parseCli(argv, env, null);
  if (decision.kind !== 'run') throw new Error(`expected a run, got ${decision.kind}`);
  return decision.options;
};

describe('parley-server --redis-url', () => {
  it('runs a single node without it', () => {
    expect(run([]).redisUrl).toBeUndefined();
  });

  it('takes the Redis URL from the flag, or from PARLEY_REDIS_URL, the flag winning', () => {
    expect(run(['--redis-url', 'redis://10.0.0.5:6379']).redisUrl).toBe('redis://10.0.0.5:6379');
    expect(run([], { PARLEY_REDIS_URL: 'rediss://cache.example:6380' }).redisUrl).toBe('rediss://cache.example:6380');
    expect(run(['--redis-url', 'redis://a.example'], { PARLEY_REDIS_URL: 'redis://b.example' }).redisUrl).toBe('redis://a.example');
    expect(run([], { PARLEY_REDIS_URL: '' }).redisUrl).toBeUndefined();
  });

  it('is explained in --help, with its environment variable', () => {
    expect(parseCli(['--help'], {}, null)).toEqual({ kind: 'help' });
    expect(USAGE).toMatch(/--redis-url URL +share presence, calls and relay/);
    expect(USAGE).toContain('PARLEY_REDIS_URL');
  });
});
