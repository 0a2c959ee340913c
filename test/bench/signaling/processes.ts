/**
 * Starting the signaling benchmark's child processes and talking to them: one
 * reply per request, parsed, with a deadline, and every process ended by its own
 * pid when the run is over.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
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

/**
 * The children run TypeScript through tsx like this process: `node --import tsx`
 * puts that in process.execArgv, which fork() passes on.
 */
function forkTs(script: string, args: string[], extraExecArgv: string[] = []): ChildProcess {
  return fork(script, args, { execArgv: [...process.execArgv, ...extraExecArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** The next message of `child` that `schema` accepts and `want` (and `match`) selects; rejects on exit, 'failed' or timeout. */
function nextMessage<T extends { type: string }, K extends T['type']>(
  child: ChildProcess,
  schema: z.ZodType<T>,
  want: K,
  what: string,
  timeoutMs: number,
  match: (message: Extract<T, { type: K }>) => boolean = () => true,
): Promise<Extract<T, { type: K }>> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (raw: unknown): void => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === 'failed' && 'message' in message) {
        done();
        reject(new Error(`${what}: ${String(message.message)}`));
      } else if (message.type === want && match(message as Extract<T, { type: K }>)) {
        done();
        resolve(message as Extract<T, { type: K }>);
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      done();
      reject(new Error(`${what}: the process ended (code ${code}, signal ${signal}) before answering`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what}: no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill('SIGKILL');
}

export type ServerMemory = Omit<Extract<FromServer, { type: 'memory' }>, 'type'>;

export interface ServerUnderTest {
  kind: ServerKind;
  url: string;
  /** Heap used and RSS after two full GCs, with the event loop's delay and GC pauses since the last call. */
  memory(): Promise<ServerMemory>;
  stop(): void;
}

export async function startServer(kind: ServerKind, parleyBundle: string): Promise<ServerUnderTest> {
  const child = forkTs(SERVER_SCRIPT, kind === 'parley' ? [kind, parleyBundle] : [kind], ['--expose-gc']);
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
      stop: () => stop(child),
    };
  } catch (error) {
    stop(child);
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
    stop: () => stop(child),
  };
}
