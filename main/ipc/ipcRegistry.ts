/**
 * Registers IPC handlers so that no handler can skip validation: every message goes
 * through validateIpcMessage first. Rejections are logged and, for invoke channels,
 * answered with an error the renderer sees as a rejected promise; they never reach
 * the handler.
 */
import type { Logger } from 'pino';
import type { INVOKE_CHANNELS, SEND_CHANNELS } from '../../preload/contract';
import { isKnownChannel, validateIpcMessage, type IpcEventLike, type RequestPayload } from './validateSender';

export type InvokeChannel = (typeof INVOKE_CHANNELS)[keyof typeof INVOKE_CHANNELS];
export type SendChannel = (typeof SEND_CHANNELS)[keyof typeof SEND_CHANNELS];

type Listener = (event: IpcEventLike, ...args: unknown[]) => unknown;

/** Who sent a validated message: the webContents (per-window limits key on it). */
export interface IpcOrigin {
  readonly sender: object;
}

/** The part of Electron's ipcMain this uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
}

export interface IpcRegistryOptions {
  ipcMain: IpcMainLike;
  logger: Logger;
  /** True for the webContents of Parley's own window(s). */
  isTrustedSender(sender: unknown): boolean;
}

export class IpcRejectedError extends Error {
  constructor(channel: string, reason: string) {
    super(`Parley refused the request on ${channel}: ${reason}`);
    this.name = 'IpcRejectedError';
  }
}

export class IpcRegistry {
  private readonly disposers: Array<() => void> = [];

  constructor(private readonly options: IpcRegistryOptions) {}

  handle<C extends InvokeChannel>(channel: C, handler: (payload: RequestPayload<C>, origin: IpcOrigin) => unknown): void {
    this.assertKnown(channel);
    const { ipcMain, logger } = this.options;
    const listener: Listener = async (event, ...args) => {
      const verdict = validateIpcMessage(event, channel, args, this.options.isTrustedSender);
      if (!verdict.ok) {
        logger.warn({ channel, reason: verdict.reason, url: event.senderFrame?.url }, 'IPC request rejected');
        throw new IpcRejectedError(channel, verdict.reason);
      }
      try {
        return await handler(verdict.value as RequestPayload<C>, { sender: event.sender });
      } catch (error) {
        logger.error({ channel, err: error }, 'IPC handler failed');
        throw error;
      }
    };
    ipcMain.handle(channel, listener);
    this.disposers.push(() => ipcMain.removeHandler(channel));
  }

  on<C extends SendChannel>(channel: C, handler: (payload: RequestPayload<C>, origin: IpcOrigin) => void): void {
    this.assertKnown(channel);
    const { ipcMain, logger } = this.options;
    const listener = (event: IpcEventLike, ...args: unknown[]): void => {
      const verdict = validateIpcMessage(event, channel, args, this.options.isTrustedSender);
      if (!verdict.ok) {
        logger.warn({ channel, reason: verdict.reason, url: event.senderFrame?.url }, 'IPC message rejected');
        return;
      }
      try {
        handler(verdict.value as RequestPayload<C>, { sender: event.sender });
      } catch (error) {
        logger.error({ channel, err: error }, 'IPC handler failed');
      }
    };
    ipcMain.on(channel, listener);
    this.disposers.push(() => ipcMain.removeListener(channel, listener));
  }

  dispose(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  private assertKnown(channel: string): void {
    if (!isKnownChannel(channel)) throw new Error(`IPC channel ${channel} has no schema in preload/contract.ts`);
  }
}
