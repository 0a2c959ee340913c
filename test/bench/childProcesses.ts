/**
 * Child processes of the benchmarks: forked TypeScript workers that talk over IPC
 * with messages checked by a zod schema, shared by the signaling and abuse benches.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { z } from 'zod';

/**
 * The children run TypeScript through tsx like this process: `node --import tsx`
 * puts that in process.execArgv, which fork() passes on.
 */
export function forkTs(script: string, args: string[], extraExecArgv: string[] = [], extraEnv: Record<string, string> = {}): ChildProcess {
  return fork(script, args, { execArgv: [...process.execArgv, ...extraExecArgv], env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** The next message of `child` that `schema` accepts and `want` (and `match`) selects; rejects on exit, 'failed' or timeout. */
export function nextMessage<T extends { type: string }, K extends T['type']>(
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

export function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill('SIGKILL');
}
