/**
 * Cluster nodes for the scale-out tests: in this process (createSignalingServer
 * through the server harness, closed by its cleanup) or as real `parley-server`
 * child processes that a test can SIGKILL. Both read /healthz to know who is the
 * coordinator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { SignalingServer, SignalingServerOptions } from '../../signaling-server/index';
import { eventually, startServer } from '../server/harness';

const root = join(import.meta.dirname, '..', '..');

/** Every node of a cluster signs call membership with the same secret, so a member rejoins on whichever node coordinates. */
export const CLUSTER_SECRET = 'scale-out-test-cluster-membership-secret';

export interface Health {
  status: string;
  devicesOnline: number;
  activeCalls: number;
  nodeId?: string;
  cluster?: { redis: 'connected' | 'disconnected'; coordinator: boolean };
}

/** /healthz of `url`, or null when nothing answers there. */
export async function health(url: string): Promise<Health | null> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return (await res.json()) as Health;
  } catch {
    return null;
  }
}

export async function isCoordinator(url: string): Promise<boolean> {
  return (await health(url))?.cluster?.coordinator === true;
}

/** Waits until the node serves sockets (its Redis connections are up). */
export async function clusterReady(url: string, timeoutMs = 15_000): Promise<void> {
  await eventually(async () => (await health(url))?.cluster?.redis === 'connected', `${url} is connected to Redis`, timeoutMs);
}

/**
 * Starts nodes in this process, one after the other, so the first one becomes
 * the coordinator; resolves when all serve and the first one coordinates.
 */
export async function startNodes(redisUrl: string, count: number, options: SignalingServerOptions = {}): Promise<SignalingServer[]> {
  const nodes: SignalingServer[] = [];
  for (let i = 0; i < count; i++) {
    const node = await startServer({ redisUrl, membershipSecret: CLUSTER_SECRET, ...options });
    await clusterReady(node.url);
    if (i === 0) await eventually(() => isCoordinator(node.url), 'the first node is the coordinator', 15_000);
    nodes.push(node);
  }
  return nodes;
}

export interface NodeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stderr(): string;
  /** SIGKILL: the node goes without a word to anyone. */
  kill(): Promise<void>;
}

const processes = new Set<ChildProcess>();

/** Runs `parley-server --redis-url …` from source (tsx) and resolves with its URL. */
export async function startNodeProcess(redisUrl: string, args: string[] = []): Promise<NodeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'signaling-server', 'cli.ts'), '--port', '0', '--redis-url', redisUrl, '--log-level', 'warn', ...args],
    {
      cwd: root,
      env: { ...process.env, PARLEY_SERVER_PASSWORD: '', PARLEY_TURN_SECRET: '', PARLEY_REDIS_URL: '', PARLEY_MEMBERSHIP_SECRET: CLUSTER_SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  processes.add(child);
  let out = '';
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (err += chunk));
  child.stdout?.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the node did not start within 20 s; stderr: ${err}`)), 20_000);
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const match = /listening on (http:\/\/[^/\s]+)\//.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the node exited with ${String(code)} before listening; stderr: ${err}`));
    });
  });
  await clusterReady(url);
  return {
    url,
    child,
    stderr: () => err,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

/** SIGKILLs every node process still running (afterEach). */
export async function killNodeProcesses(): Promise<void> {
  const running = [...processes].filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  processes.clear();
}
