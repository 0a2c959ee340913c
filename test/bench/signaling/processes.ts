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
      stop: () => stopChild(child),
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
