/**
 * Starting the signaling benchmark's child processes and talking to them: one
 * reply per request, parsed, with a deadline, and every process ended by its own
 * pid when the run is over.
 */
import { fileURLToPath } from 'node:url';
import { forkTs, nextMessage, stop as stopChild } from '../childProcesses';
import {
  fromLoadSchema,
  fromServerSchema,
  type FromLoad,
  type FromServer,
  type ServerKind,
  type ToLoad,
  type ToServer,
} from './messages';

const SERVER_SCRIPT = fileURLToPath(new URL('./serverProcess.ts', import.meta.url));
const LOAD_SCRIPT = fileURLToPath(new URL('./loadProcess.ts', import.meta.url));

export type ServerMemory = Omit<Extract<FromServer, { type: 'memory' }>, 'type'>;

/** Extra V8 flags for the servers under test: the capacity run holds tens of thousands of sockets. */
const SERVER_HEAP_MB = 6_144;

export interface ServerUnderTest {
  kind: ServerKind;
  url: string;
  /** Heap used and RSS after two full GCs, with the event loop's delay and GC pauses since the last call. */
  memory(): Promise<ServerMemory>;
  /** The server process's CPU time so far (user + system), in µs, without forcing a GC. */
  cpuUs(): Promise<number>;
  stop(): void;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

/**
 * PARLEY_BENCH_SERVER_PROF=<dir>: each Parley server process writes a V8 CPU profile
 * there when it is stopped (--cpu-prof; stopped with SIGTERM, which serverProcess.ts
 * turns into an exit, so that the profile is written), for DevTools or
 * `npx tsx test/bench/signaling/profileTop.ts <file>`.
 */
const PROFILE_DIR = process.env.PARLEY_BENCH_SERVER_PROF ?? '';

/** `env`: BENCH_SERVER_PORT and BENCH_MEMBERSHIP_SECRET for a server that restarts (serverProcess.ts). */
export async function startServer(kind: ServerKind, parleyBundle: string, env: Record<string, string> = {}): Promise<ServerUnderTest> {
  const profile = PROFILE_DIR !== '' && kind === 'parley' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = forkTs(SERVER_SCRIPT, kind === 'parley' ? [kind, parleyBundle] : [kind], ['--expose-gc', `--max-old-space-size=${SERVER_HEAP_MB}`, ...profile], env);
  try {
    const ready = await nextMessage<FromServer, 'ready'>(child, fromServerSchema, 'ready', `starting the ${kind} server`, 60_000);
    return {
      kind,
      url: ready.url,
      memory: async () => {
        const reply = nextMessage<FromServer, 'memory'>(child, fromServerSchema, 'memory', `measuring the ${kind} server`, 60_000);
        child.send({ type: 'measure' } satisfies ToServer);
        const { type: _type, ...memory } = await reply;
        return memory;
      },
      cpuUs: async () => {
        const reply = nextMessage<FromServer, 'cpu'>(child, fromServerSchema, 'cpu', `reading the ${kind} server's CPU time`, 60_000);
        child.send({ type: 'cpu' } satisfies ToServer);
        const { cpuUserUs, cpuSystemUs } = await reply;
        return cpuUserUs + cpuSystemUs;
      },
      stop: () => {
        if (profile.length === 0 || child.exitCode !== null || child.signalCode !== null) {
          stopChild(child);
          return;
        }
        // Profiled: an exit writes the profile; SIGKILL if it takes too long.
        child.kill('SIGTERM');
        setTimeout(() => stopChild(child), 30_000).unref();
      },
      exited: child.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve())),
    };
  } catch (error) {
    stopChild(child);
    throw error;
  }
}

export interface LoadProcess {
  /** Sends `message` and waits for its `reply`; requests for both servers may be in flight at once, told apart by their kind. */
  ask<K extends FromLoad['type']>(message: ToLoad, reply: K, timeoutMs: number): Promise<Extract<FromLoad, { type: K }>>;
  stop(): void;
}

export function startLoadProcess(index: number): LoadProcess {
  const child = forkTs(LOAD_SCRIPT, []);
  return {
    ask: (message, reply, timeoutMs) => {
      const kind = 'kind' in message ? message.kind : undefined;
      const sameKind = (answer: FromLoad): boolean => kind === undefined || !('kind' in answer) || answer.kind === kind;
      const answer = nextMessage(child, fromLoadSchema, reply, `load generator ${index} (${message.type})`, timeoutMs, sameKind);
      child.send(message);
      return answer;
    },
    stop: () => stopChild(child),
  };
}
