/**
 * Starts serverChild.ts in a child process (through tsx) and hands back its URL,
 * so a test can SIGKILL the signaling server mid-call and start it again on the
 * same port. Every process started here is killed by `killServerProcesses()`.
 *
 * The processes share one data dir (unless the options name another, or a
 * membership secret), as a server restarted on the same machine would: it keeps
 * the membership key, so call members can rejoin the restarted server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./serverChild.ts', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface ServerProcess {
  url: string;
  port: number;
  /** SIGKILL: the server vanishes, with no goodbye to its clients. Resolves once the process is gone. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();
let sharedDataDir: string | null = null;

export async function startServerProcess(options: Record<string, unknown> = {}): Promise<ServerProcess> {
  sharedDataDir ??= mkdtempSync(join(tmpdir(), 'parley-server-data-'));
  const withData = 'dataDir' in options || 'membershipSecret' in options ? options : { dataDir: sharedDataDir, ...options };
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(withData)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`timed out after ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`The signaling server process did not start (${error.message}).\n${stderr}`));
    };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      const match = /LISTENING (\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => fail(new Error(`it exited with ${signal ?? code}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Kills every server process, and forgets their data dir (the next test starts with a new key). */
export async function killServerProcesses(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  if (sharedDataDir !== null) rmSync(sharedDataDir, { recursive: true, force: true });
  sharedDataDir = null;
}
