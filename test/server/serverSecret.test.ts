/**
 * The membership key (serverSecret.ts): from the option, else kept in the data dir
 * (created once, private, never replaced), else in memory with one line saying so.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_FILE, loadMembershipKey } from '../../signaling-server/serverSecret';
import { startServer } from './harness';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-secret-'));
  dirs.push(dir);
  return dir;
}

/** A logger that keeps what it was told. */
function recordingLog() {
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
  return { log, lines };
}

describe('the membership key', () => {
  it('uses the configured secret as it is, and touches no file', () => {
    const dataDir = freshDir();
    const { log } = recordingLog();
    const key = loadMembershipKey({ membershipSecret: 'x'.repeat(40), dataDir }, log);
    expect(key.equals(Buffer.from('x'.repeat(40)))).toBe(true);
    expect(() => statSync(join(dataDir, KEY_FILE))).toThrow();
  });

  it('generates a key once into the data dir, readable only by its owner, and reads the same one back', () => {
    const dataDir = join(freshDir(), 'nested', 'parley-server');
    const { log, lines } = recordingLog();
    const first = loadMembershipKey({ dataDir }, log);
    const file = join(dataDir, KEY_FILE);
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`${first.toString('hex')}\n`);
    expect(lines.some((l) => l.msg.startsWith('generated the membership key'))).toBe(true);
    expect(loadMembershipKey({ dataDir }, log).equals(first)).toBe(true);
    // No temporary file is left behind.
    expect(readdirSync(dataDir)).toEqual([KEY_FILE]);
  });

  it('refuses to start with a key file that is not a key, saying what to do, and leaves the file alone', () => {
    const dataDir = freshDir();
    const file = join(dataDir, KEY_FILE);
    for (const junk of ['', 'short\n', `${'g'.repeat(64)}\n`, 'a'.repeat(63)]) {
      writeFileSync(file, junk);
      expect(() => loadMembershipKey({ dataDir }, recordingLog().log)).toThrow(/is not a key \(it must hold 64 hex digits\).*delete it to generate a new one/);
      expect(readFileSync(file, 'utf8')).toBe(junk);
    }
  });

  it('fails to start the server with the file named in the error', async () => {
    const dataDir = freshDir();
    writeFileSync(join(dataDir, KEY_FILE), 'corrupt');
    await expect(startServer({ dataDir })).rejects.toThrow(join(dataDir, KEY_FILE));
  });

  it('without a secret or a data dir, keeps a random key in memory and says once that calls cannot be rejoined after a restart', () => {
    const { log, lines } = recordingLog();
    const a = loadMembershipKey({}, log);
    const b = loadMembershipKey({}, log);
    expect(a).toHaveLength(32);
    expect(a.equals(b)).toBe(false);
    expect(lines.filter((l) => l.msg.includes('--data-dir'))).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, msg: expect.stringContaining('cannot be rejoined after a restart') });
  });
});
