/**
 * Fakes for the Electron side of main's services, and small helpers. Everything
 * that is not Electron (pino, zod, the file system, the signaling server) is real.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { IpcMainLike } from '../../main/ipc/ipcRegistry';
import type { IpcEventLike } from '../../main/ipc/validateSender';
import type { EventChannel, EventPayload, RendererEvents } from '../../main/window/rendererEvents';
import type { WindowControl } from '../../main/window/windowControl';

/** A real pino logger whose JSON lines are kept for assertions. */
export function recordingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export const silentLogger: Logger = pino({ level: 'silent' });

/** A clock for debounces and timeouts: nothing fires until the test advances it. */
export class ManualClock {
  private now = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }

  get pending(): number {
    return this.timers.size;
  }
}

export interface SentEvent {
  channel: EventChannel;
  payload: unknown;
}

/** RendererEvents that records what would go to the window. */
export class RecordingEvents implements RendererEvents {
  readonly sent: SentEvent[] = [];
  send<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    this.sent.push({ channel, payload });
  }
}

export class RecordingWindow implements WindowControl {
  readonly calls: string[] = [];
  show(): void {
    this.calls.push('show');
  }
  attention(on: boolean): void {
    this.calls.push(on ? 'attention:on' : 'attention:off');
  }
}

/** Polls `check` until it stops throwing (for async work with no event to await). */
export async function eventually(check: () => void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/**
 * ipcMain with handlers we can call as if a renderer had sent the message. Like
 * Electron's, it refuses a second handler for one channel.
 */
export class CallableIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
  readonly listeners = new Map<string, Array<(event: IpcEventLike, ...args: unknown[]) => void>>();
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }
  removeListener(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): this {
    this.listeners.set(channel, (this.listeners.get(channel) ?? []).filter((l) => l !== listener));
    return this;
  }
  async invoke(channel: string, from: IpcEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
    return handler(from, ...args);
  }
  send(channel: string, from: IpcEventLike, ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(from, ...args);
  }
}
