/**
 * A lab network for tests that need more than one computer: network namespaces
 * "a", "b" and "c", each with one address on 10.77.0.0/24 and a veth pair to a
 * middle namespace, where a user-space L2 bridge (bridge.py, AF_PACKET) forwards
 * every frame between them — multicast and mDNS included — with configurable
 * delay, jitter and loss.
 *
 *   ns a: lab0 10.77.0.1 ─┐
 *   ns b: lab0 10.77.0.2 ─┼─ ns m: port-a, port-b, port-c ← bridge.py
 *   ns c: lab0 10.77.0.3 ─┘
 *
 * Needs root (CI runs as root), iproute2, ethtool and python3
 * (scripts/install-test-deps.sh). `createLab` throws with the reason when any of
 * it is missing: a test that cannot build its lab fails, it never skips.
 *
 * Only the lab's own namespaces and addresses are touched: the host's network is
 * not. Names are unique per run (plab-<pid>-<random>-<x>); `destroy()` removes
 * everything, an exit handler does too, and every new lab first removes labs left
 * behind by test processes that no longer exist.
 *
 * Checksum offload is turned off on every veth end (ethtool -K … tx off rx off):
 * with it on, a veth hands the bridge frames with partial checksums, and the
 * receiver drops them once re-injected. Segmentation offloads are off too, so
 * every frame the bridge reads fits the MTU it writes to.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BRIDGE = fileURLToPath(new URL('./bridge.py', import.meta.url));
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NAME = /^plab-(\d+)-[0-9a-f]{6}-[abcm]$/;

export type Host = 'a' | 'b' | 'c';
export const HOSTS: readonly Host[] = ['a', 'b', 'c'];
export const SUBNET = '10.77.0.0/24';
export const ADDRESSES: Readonly<Record<Host, string>> = { a: '10.77.0.1', b: '10.77.0.2', c: '10.77.0.3' };
/** The interface inside each host namespace. */
export const LAB_IFACE = 'lab0';

export interface Impairment {
  delayMs: number;
  jitterMs: number;
  /** 0–1: the chance that a frame is dropped, per port it is sent out of. */
  loss: number;
}

export interface BridgeStats {
  received: number;
  forwarded: number;
  dropped: number;
  sendErrors: number;
  lastSendError?: string;
}

export interface Lab {
  readonly id: string;
  /** The namespace names, for `ip netns exec`. */
  readonly namespaces: Readonly<Record<Host | 'm', string>>;
  /** Starts `command` inside host `host`'s namespace; killed by destroy() if still running. */
  spawn(host: Host, command: string, args: readonly string[], options?: { env?: NodeJS.ProcessEnv }): ChildProcess;
  /** Runs `command` in `host`'s namespace to completion: its stdout (rejects with stderr on failure). */
  exec(host: Host | 'm', command: string, args: readonly string[]): Promise<string>;
  setImpairment(change: Partial<Impairment>): Promise<Impairment>;
  bridgeStats(): Promise<BridgeStats>;
  /** Kills what runs in the lab and removes its namespaces; idempotent. */
  destroy(): Promise<void>;
}

async function ip(args: readonly string[]): Promise<string> {
  try {
    return (await run('ip', [...args], { timeout: 15_000 })).stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`ip ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}`, { cause: err });
  }
}

function python(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Why the lab cannot be built here, or null. */
async function missingPrerequisite(): Promise<string | null> {
  if (process.platform !== 'linux') return `the lab network needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'the lab network needs root (network namespaces, veth pairs, AF_PACKET sockets); CI runs the suite as root';
  for (const [command, args, pkg] of [
    ['ip', ['-V'], 'iproute2'],
    ['ethtool', ['--version'], 'ethtool'],
    [python(), ['-c', 'import socket; socket.AF_PACKET'], 'python3-minimal'],
  ] as const) {
    try {
      await run(command, [...args], { timeout: 10_000 });
    } catch (err) {
      return `the lab network needs ${command} (Debian package ${pkg}; run scripts/install-test-deps.sh): ${(err as Error).message.split('\n')[0]}`;
    }
  }
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kills the processes inside namespace `ns` (all started by a lab) and deletes it. */
function removeNamespaceSync(ns: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 10_000 }).split(/\s+/).filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
  } catch (err) {
    process.stderr.write(`lab: could not list the processes of ${ns}: ${(err as Error).message}\n`);
  }
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  } catch (err) {
    const message = (err as Error & { stderr?: Buffer }).stderr?.toString().trim() ?? (err as Error).message;
    if (!/No such file/.test(message)) process.stderr.write(`lab: could not remove namespace ${ns}: ${message}\n`);
  }
}

/** Removes labs whose test process is gone (a run that was killed or aborted). */
export async function removeStaleLabs(): Promise<string[]> {
  const listed = await ip(['netns', 'list']);
  const stale = listed
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => {
      const match = NAME.exec(name);
      return match !== null && Number(match[1]) !== process.pid && !alive(Number(match[1]));
    });
  for (const ns of stale) removeNamespaceSync(ns);
  return stale;
}

export async function createLab(impairment: Partial<Impairment> = {}): Promise<Lab> {
  const missing = await missingPrerequisite();
  if (missing !== null) throw new Error(`Cannot set up the lab network: ${missing}.`);
  await removeStaleLabs();

  const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const namespaces = { a: `plab-${id}-a`, b: `plab-${id}-b`, c: `plab-${id}-c`, m: `plab-${id}-m` } as const;
  const children = new Set<ChildProcess>();
  let destroyed = false;
  const removeAll = (): void => {
    if (destroyed) return;
    destroyed = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const ns of Object.values(namespaces)) removeNamespaceSync(ns);
  };
  process.once('exit', removeAll);

  let bridge: ChildProcess;
  let bridgeLines: AsyncIterator<string>;
  try {
    for (const ns of Object.values(namespaces)) {
      await ip(['netns', 'add', ns]);
      // Only the lab's IPv4 addresses: no IPv6 link-local chatter on the lab wire.
      await ip(['netns', 'exec', ns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6']);
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    for (const host of HOSTS) {
      const ns = namespaces[host];
      const port = `port-${host}`;
      await ip(['-n', ns, 'link', 'add', LAB_IFACE, 'type', 'veth', 'peer', 'name', port, 'netns', namespaces.m]);
      await ip(['-n', ns, 'addr', 'add', `${ADDRESSES[host]}/24`, 'dev', LAB_IFACE]);
      await ip(['-n', ns, 'link', 'set', LAB_IFACE, 'up']);
      await ip(['-n', namespaces.m, 'link', 'set', port, 'up']);
      // Multicast (mDNS) goes out on the lab wire; there is no default route.
      await ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', LAB_IFACE]);
      await ethtoolOff(ns, LAB_IFACE);
      await ethtoolOff(namespaces.m, port);
    }
    bridge = spawn(
      'ip',
      // Raised priority (root may): on a busy 2-core machine a starved bridge adds its own
      // queueing to every frame, and the configured delay would no longer be what the wire has.
      ['netns', 'exec', namespaces.m, 'nice', '-n', '-10', python(), BRIDGE, ...HOSTS.flatMap((h) => ['--port', `port-${h}`]), ...impairmentArgs(impairment)],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    children.add(bridge);
    let bridgeErr = '';
    bridge.stderr?.setEncoding('utf8').on('data', (chunk: string) => (bridgeErr = (bridgeErr + chunk).slice(-4000)));
    bridgeLines = createInterface({ input: bridge.stdout! })[Symbol.asyncIterator]();
    const first = await Promise.race([
      bridgeLines.next(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no "ready" within 10 s')), 10_000)),
    ]).catch((err: Error) => ({ done: true as const, value: err.message }));
    if (first.done || !(JSON.parse(first.value) as { ready?: boolean }).ready) {
      throw new Error(`the bridge did not start: ${String(first.value ?? 'it exited')}\n${bridgeErr}`);
    }
  } catch (err) {
    removeAll();
    process.off('exit', removeAll);
    throw new Error(`Cannot set up the lab network: ${(err as Error).message}`, { cause: err });
  }

  let commands: Promise<unknown> = Promise.resolve();
  /** One command at a time: each answer is the next line. */
  const ask = <T>(command: object): Promise<T> => {
    const answer = commands.then(async () => {
      bridge.stdin!.write(`${JSON.stringify(command)}\n`);
      const line = await bridgeLines.next();
      if (line.done) throw new Error('the bridge has exited');
      const parsed = JSON.parse(line.value) as { ok: boolean; error?: string } & T;
      if (!parsed.ok) throw new Error(`the bridge refused ${JSON.stringify(command)}: ${parsed.error}`);
      return parsed;
    });
    commands = answer.catch(() => undefined);
    return answer;
  };

  return {
    id,
    namespaces,
    spawn(host, command, args, options = {}) {
      const child = spawn('ip', ['netns', 'exec', namespaces[host], command, ...args], {
        cwd: ROOT,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    async exec(host, command, args) {
      try {
        return (await run('ip', ['netns', 'exec', namespaces[host], command, ...args], { cwd: ROOT, timeout: 60_000 })).stdout;
      } catch (err) {
        const e = err as Error & { stderr?: string };
        throw new Error(`${command} ${args.join(' ')} in ${host} failed: ${(e.stderr || e.message).trim()}`, { cause: err });
      }
    },
    async setImpairment(change) {
      return (await ask<{ impairment: Impairment }>({ set: change })).impairment;
    },
    async bridgeStats() {
      return (await ask<{ stats: BridgeStats }>({ stats: true })).stats;
    },
    async destroy() {
      if (destroyed) return;
      if (bridge.exitCode === null) {
        const exited = new Promise<void>((resolve) => bridge.once('exit', () => resolve()));
        bridge.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      }
      removeAll();
      process.off('exit', removeAll);
    },
  };
}

function impairmentArgs(impairment: Partial<Impairment>): string[] {
  const args: string[] = [];
  if (impairment.delayMs !== undefined) args.push('--delay-ms', String(impairment.delayMs));
  if (impairment.jitterMs !== undefined) args.push('--jitter-ms', String(impairment.jitterMs));
  if (impairment.loss !== undefined) args.push('--loss', String(impairment.loss));
  return args;
}

async function ethtoolOff(ns: string, dev: string): Promise<void> {
  await ip(['netns', 'exec', ns, 'ethtool', '-K', dev, 'tx', 'off', 'rx', 'off', 'tso', 'off', 'gso', 'off', 'gro', 'off']);
}

/**
 * Reads JSON lines from a child's stdout until `predicate` matches one (resolves
 * with it) — or the child exits, or `timeoutMs` passes (rejects with what it said).
 */
export function waitForLine<T>(child: ChildProcess, predicate: (line: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    let stdout = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    const lines = createInterface({ input: child.stdout! });
    const finish = (err: Error | null, value?: T): void => {
      clearTimeout(timer);
      lines.close();
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value as T);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new Error(`${what}: the process exited (${signal ?? code}) first.\nstdout: ${stdout}\nstderr: ${stderr}`));
    const timer = setTimeout(() => finish(new Error(`${what}: nothing within ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`)), timeoutMs);
    lines.on('line', (line) => {
      stdout = (stdout + line + '\n').slice(-4000);
      let parsed: T;
      try {
        parsed = JSON.parse(line) as T;
      } catch {
        return; // not a JSON line (a human line such as "listening on…"): kept in `stdout` for the error
      }
      if (predicate(parsed)) finish(null, parsed);
    });
    child.once('exit', onExit);
  });
}
