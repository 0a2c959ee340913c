/**
 * A real redis-server for the scale-out tests, on a free port of 127.0.0.1, with
 * no persistence. redis-server cannot pick its own port (`--port 0` disables TCP),
 * so the port comes from binding a socket to port 0 and closing it; a start that
 * loses that port to someone else is retried on another.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../support/freePort';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** SIGKILL (no goodbye to clients), waiting for the exit. */
  kill(): Promise<void>;
  /** Starts redis-server again on the same port (after kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function launch(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} did not start within 10 s:\n${output}`));
    }, 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run redis-server (is it installed?): ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on port ${port} exited with ${String(code)}:\n${output}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedis(): Promise<RedisServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      let child = await launch(port);
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        kill: async () => {
          child.kill('SIGKILL');
          await exited(child);
        },
        restart: async () => {
          child = await launch(port);
        },
        stop: async () => {
          child.kill('SIGTERM');
          await exited(child);
        },
      };
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}
