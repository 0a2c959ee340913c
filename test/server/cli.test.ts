import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SERVER_VERSION } from '../../signaling-server/index';
import { cleanup, connectClient, connectRefused, startServer } from './harness';

const root = join(import.meta.dirname, '..', '..');
const bundle = join(root, 'dist', 'server', 'cli.js');

/** The built bundle when it is newer than every server source file, else the source through tsx. */
function cliCommand(): string[] {
  if (existsSync(bundle)) {
    const built = statSync(bundle).mtimeMs;
    const sources = readdirSync(join(root, 'signaling-server')).filter((f) => f.endsWith('.ts'));
    if (sources.every((f) => statSync(join(root, 'signaling-server', f)).mtimeMs <= built)) return [bundle];
  }
  return ['--import', 'tsx', join(root, 'signaling-server', 'cli.ts')];
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  line: Promise<string>;
}

const children = new Set<ChildProcess>();
afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  await cleanup();
});

const stateHomes: string[] = [];
afterAll(() => {
  for (const dir of stateHomes.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function stateHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cli-state-'));
  stateHomes.push(dir);
  return dir;
}

function runCli(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [...cliCommand(), ...args], {
    cwd: root,
    // Its membership key goes to a throwaway state dir, never to the real ~/.local/state.
    env: { ...process.env, PARLEY_SERVER_PASSWORD: '', PARLEY_TURN_SECRET: '', PARLEY_MEMBERSHIP_SECRET: '', XDG_STATE_HOME: stateHome(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  const line = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline !== -1) resolve(out.slice(0, newline));
    });
    child.once('exit', () => reject(new Error(`the CLI exited before printing a line; stderr: ${err}`)));
  });
  line.catch(() => undefined);
  child.stderr?.on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited, line };
}

/** stderr without pino's JSON log lines: what a person reads. */
const humanLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'));

describe('parley-server', () => {
  it('prints where it listens, serves /healthz, and on SIGTERM tells clients and exits 0', async () => {
    const run = runCli(['--port', '0', '--log-level', 'warn']);
    const line = await run.line;
    // (" — open it in a browser" follows when dist/renderer was built next to the bundle.)
    const match = /^Parley server listening on (http:\/\/127\.0\.0\.1:(\d+))\/( — open it in a browser)?$/.exec(line);
    expect(match, line).not.toBeNull();
    const url = match?.[1] ?? '';
    const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; version: string };
    expect(health).toMatchObject({ status: 'ok', version: SERVER_VERSION });
    const alice = await connectClient(url, { name: 'alice' });

    run.child.kill('SIGTERM');
    expect(await alice.next('server:shutdown')).toMatchObject({ message: expect.any(String) });
    expect(await run.exited).toBe(0);
    expect(humanLines(run.stderr())).toEqual([]);
  });

  it('serves a built client from --client and says to open it in a browser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-client-'));
    try {
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Parley web</title>');
      const run = runCli(['--port', '0', '--client', dir, '--log-level', 'silent']);
      const line = await run.line;
      expect(line).toMatch(/^Parley server listening on http:\/\/127\.0\.0\.1:\d+\/ — open it in a browser$/);
      const url = (/(http:\/\/[^/]+)\//.exec(line) ?? [])[1] ?? '';
      expect(await (await fetch(`${url}/`)).text()).toContain('Parley web');
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the password from PARLEY_SERVER_PASSWORD', async () => {
    const run = runCli(['--port', '0', '--log-level', 'silent'], { PARLEY_SERVER_PASSWORD: 'sesame-open' });
    const url = (/(http:\/\/[^/]+)\//.exec(await run.line) ?? [])[1] ?? '';
    await connectClient(url, { name: 'alice', password: 'sesame-open' });
    expect(await connectRefused(url, { name: 'mallory', password: 'guess' })).toMatchObject({ code: 'auth_failed' });
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['--port'], '--port needs a value'],
    [['--port', 'eighty'], '--port must be a whole number from 0 to 65535, not "eighty"'],
    [['--max-participants', '40'], '--max-participants must be a whole number from 2 to 16, not "40"'],
    [['--log-level', 'chatty'], '--log-level must be one of'],
    [['--turn-url', 'turn:t.example'], '--turn-url and --turn-secret go together'],
    [['--client', '/definitely/not/here'], '--client: '],
    [['stray'], 'unexpected argument stray'],
    [['--redis-url', 'localhost:6379'], '--redis-url: must be a redis:// or rediss:// URL'],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    const run = runCli(args);
    expect(await run.exited).toBe(2);
    const lines = humanLines(run.stderr());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^parley-server: .* \(see --help\)$/);
    expect(lines[0]).toContain(message);
    expect(run.stdout()).toBe('');
  });

  it('says in one line when the port is taken, and exits 1', async () => {
    const taken = await startServer();
    const run = runCli(['--port', String(taken.address.port), '--host', '127.0.0.1']);
    expect(await run.exited).toBe(1);
    expect(humanLines(run.stderr())).toEqual([
      `parley-server: port ${taken.address.port} on 127.0.0.1 is already in use — choose another with --port`,
    ]);
    // Nothing else but JSON log lines (the first start logs that it generated its membership key): no stack trace.
    expect(run.stderr().trim().split('\n').filter((l) => !l.startsWith('{"level"'))).toHaveLength(1);
  });

  it('keeps its membership key in $XDG_STATE_HOME/parley-server, and refuses to start with a corrupt one', async () => {
    const state = stateHome();
    const run = runCli(['--port', '0', '--log-level', 'silent'], { XDG_STATE_HOME: state });
    const url = (/(http:\/\/[^/]+)\//.exec(await run.line) ?? [])[1] ?? '';
    // An answer means the CLI is past printing its line and has its signal handlers.
    expect((await fetch(`${url}/healthz`)).ok).toBe(true);
    const file = join(state, 'parley-server', 'membership.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    writeFileSync(file, 'not a key');
    const broken = runCli(['--port', '0'], { XDG_STATE_HOME: state });
    expect(await broken.exited).toBe(1);
    const lines = humanLines(broken.stderr());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`parley-server: the membership key ${file} is not a key`);
  });

  it('prints help and the version', async () => {
    const help = runCli(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toContain('Usage: parley-server');
    expect(help.stdout()).toContain('--allowed-origin');
    const version = runCli(['--version']);
    expect(await version.exited).toBe(0);
    expect(version.stdout().trim()).toBe(SERVER_VERSION);
  });
});
