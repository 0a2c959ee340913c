/**
 * The SFU's server options: `--janus-url` (repeatable, ws:// or wss:// only),
 * `--janus-secret` / PARLEY_JANUS_SECRET, `--janus-admin-key` /
 * PARLEY_JANUS_ADMIN_KEY and `--max-sfu-participants`, and the same as options of
 * the embedded server (a desktop-hosted server passes none: mesh only).
 */
import { describe, expect, it } from 'vitest';
import { parseCli, USAGE, UsageError } from '../../signaling-server/cliArgs';
import { OptionError, resolveOptions } from '../../signaling-server/options';

const run = (argv: string[], env: Record<string, string> = {}) => {
  const decision = parseCli(argv, env, null);
  if (decision.kind !== 'run') throw new Error(`expected a run, got ${decision.kind}`);
  return decision.options;
};

describe('parley-server --janus-url and friends', () => {
  it('has no Janus unless given one: every call is a mesh', () => {
    expect(run([]).janusUrls).toBeUndefined();
    expect(resolveOptions({}).janusUrls).toEqual([]);
    expect(resolveOptions({}).maxSfuParticipants).toBe(16);
  });

  it('takes several Janus URLs, a secret and an admin key from flags or the environment (the flag winning)', () => {
    const options = run(['--janus-url', 'ws://127.0.0.1:8188', '--janus-url', 'wss://janus.internal:8989/janus', '--janus-secret', 's3cret']);
    expect(options.janusUrls).toEqual(['ws://127.0.0.1:8188', 'wss://janus.internal:8989/janus']);
    expect(options.janusSecret).toBe('s3cret');
    expect(run([], { PARLEY_JANUS_SECRET: 'from-env', PARLEY_JANUS_ADMIN_KEY: 'key' })).toMatchObject({ janusSecret: 'from-env', janusAdminKey: 'key' });
    expect(run(['--janus-admin-key', 'flag'], { PARLEY_JANUS_ADMIN_KEY: 'env' }).janusAdminKey).toBe('flag');
    expect(resolveOptions(options).janusUrls).toHaveLength(2);
  });

  it('refuses a Janus URL that is not ws:// or wss://, naming the option', () => {
    for (const url of ['http://127.0.0.1:8088/janus', '127.0.0.1:8188', 'ws://', 'ws://host name:1', '']) {
      expect(() => resolveOptions({ janusUrls: [url] }), url).toThrow(OptionError);
    }
    expect(() => resolveOptions({ janusUrls: ['http://x:1'] })).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => resolveOptions({ janusSecret: '' })).toThrow(OptionError);
  });

  it('takes --max-sfu-participants from 2 to 64', () => {
    expect(run(['--max-sfu-participants', '24']).maxSfuParticipants).toBe(24);
    expect(() => run(['--max-sfu-participants', '1'])).toThrow(UsageError);
    expect(() => run(['--max-sfu-participants', 'many'])).toThrow(UsageError);
    expect(() => resolveOptions({ maxSfuParticipants: 65 })).toThrow(OptionError);
  });

  it('is explained in --help', () => {
    for (const flag of ['--janus-url', '--janus-secret', 'PARLEY_JANUS_SECRET', '--janus-admin-key', '--max-sfu-participants']) {
      expect(USAGE).toContain(flag);
    }
  });
});
