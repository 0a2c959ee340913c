/**
 * A real coturn `turnserver` for a test: on 127.0.0.1, a free UDP port, the TURN
 * REST API secret (`--use-auth-secret`, the credentials the signaling server hands
 * out), relaying between loopback peers. "Ready" means it answers a STUN Binding
 * request, so a restart's ready moment is when it really serves again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersBinding } from './stun';

export const TURN_REALM = 'parley.test';
const READY_TIMEOUT_MS = 20_000;

export interface Coturn {
  port: number;
  secret: string;
  /** What the signaling server's `turn.urls` should say. */
  url: string;
  /** SIGKILL: the relay vanishes mid-call, with every allocation it held. */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves at the moment it answers STUN again. */
  restart(): Promise<void>;
  /** Its last log lines (for a failing test's message). */
  log(): string;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

const running = new Set<ChildProcess>();
const dirs = new Set<string>();

export async function startCoturn(secret = 'parley-test-secret'): Promise<Coturn> {
  const port = await freeUdpPort();
  // Relay ports below Linux's ephemeral range (32768+), so that they do not collide with sockets of the test.
  const minPort = 20_000 + Math.floor(Math.random() * 100) * 100;
  const dir = mkdtempSync(join(tmpdir(), 'parley-coturn-'));
  dirs.add(dir);
  let logTail = '';
  let child: ChildProcess | null = null;

  const launch = async (): Promise<void> => {
    const args = [
      '-n', // no configuration file: everything is below
      '--listening-port', String(port),
      '--listening-ip', '127.0.0.1',
      '--relay-ip', '127.0.0.1',
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm', TURN_REALM,
      '--allow-loopback-peers',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--no-tcp',
      '--no-rfc5780',
      '--min-port', String(minPort),
      '--max-port', String(minPort + 99),
      '--log-file', 'stdout',
      '--simple-log',
      '--pidfile', join(dir, 'turnserver.pid'),
      '--userdb', join(dir, 'turndb'),
    ];
    const proc = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    const keep = (chunk: Buffer): void => {
      logTail = (logTail + chunk.toString('utf8')).slice(-6000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await answersBinding(port))) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`turnserver exited (${proc.exitCode ?? proc.signalCode}) before it answered STUN on port ${port}:\n${logTail}`);
      }
      if (Date.now() > deadline) throw new Error(`turnserver did not answer STUN on port ${port} within ${READY_TIMEOUT_MS} ms:\n${logTail}`);
    }
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  };

  await launch();
  return {
    port,
    secret,
    url: `turn:127.0.0.1:${port}?transport=udp`,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    log: () => logTail,
  };
}

/** Kills every turnserver this module started and removes their files (afterEach / afterAll). */
export async function stopCoturns(): Promise<void> {
  await Promise.all(
    [...running].map(
      (proc) =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
          proc.once('exit', () => resolve());
          proc.kill('SIGKILL');
        }),
    ),
  );
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
