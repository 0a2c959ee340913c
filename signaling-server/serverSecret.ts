/**
 * The secret that signs call membership (membershipToken.ts), which must survive a
 * restart: a member rejoins the rebuilt call with a token signed before it. In order:
 * 1. `membershipSecret` (every node of a cluster needs the same one);
 * 2. `<dataDir>/membership.key`, read, or generated once (32 random bytes, hex, mode
 *    0600): written to a temporary file, then linked into place, so the key is
 *    never seen half-written and two servers starting together agree on one key;
 * 3. neither: a random key in memory, and calls cannot be rejoined after a restart.
 * A key file that exists but is not a key is a startup error: replacing it would
 * quietly lock every member of a call in progress out of it.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

export const KEY_FILE = 'membership.key';
const KEY_TEXT = /^[0-9a-f]{64}$/;

export interface SecretSource {
  membershipSecret?: string;
  dataDir?: string;
}

export class SecretFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretFileError';
  }
}

export function loadMembershipKey(source: SecretSource, log: Logger): Buffer {
  if (source.membershipSecret !== undefined) return Buffer.from(source.membershipSecret, 'utf8');
  if (source.dataDir !== undefined) return readOrCreateKeyFile(source.dataDir, log);
  log.info('call membership tokens are signed with a key kept in memory: calls cannot be rejoined after a restart (give --data-dir, or PARLEY_MEMBERSHIP_SECRET)');
  return randomBytes(32);
}

function readOrCreateKeyFile(dataDir: string, log: Logger): Buffer {
  const file = join(dataDir, KEY_FILE);
  const existing = readKeyFile(file);
  if (existing) return existing;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const temporary = join(dataDir, `.${KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`);
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, file);
      log.info({ file }, 'generated the membership key (keep this file: it lets calls be rejoined after a restart)');
    } catch (err) {
      // Another server created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(temporary);
    }
  } catch (err) {
    throw new SecretFileError(
      `cannot create the membership key ${file}: ${(err as Error).message}. Give a writable --data-dir, or set PARLEY_MEMBERSHIP_SECRET.`,
      { cause: err },
    );
  }
  const created = readKeyFile(file);
  if (!created) throw new SecretFileError(`the membership key ${file} vanished while the server was creating it; start the server again.`);
  return created;
}

/** The key in `file`; null when there is no such file. */
function readKeyFile(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SecretFileError(`cannot read the membership key ${file}: ${(err as Error).message}. Check its permissions.`, { cause: err });
  }
  const key = text.trim();
  if (!KEY_TEXT.test(key)) {
    throw new SecretFileError(
      `the membership key ${file} is not a key (it must hold 64 hex digits). Restore it from a backup, or delete it to generate a new one ` +
        '(members of calls in progress then cannot rejoin them after this restart).',
    );
  }
  return Buffer.from(key, 'hex');
}
