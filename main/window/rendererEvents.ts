/**
 * main → renderer events, validated against the contract before they leave, and
 * held back until the renderer is listening.
 *
 * Why hold them: a deep link or a corrupt-settings notice can happen before the
 * page has loaded, and an event sent to a page that has not yet subscribed is lost.
 * The renderer is taken to be listening once it sends its first call-state report
 * (it does so after its bridge subscriptions are in place), or, as a fallback for a
 * renderer that never reports, a few seconds after the page finished loading.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import { EVENT_CHANNELS, eventSchemas, type HostNotice } from '../../preload/contract';

export type EventChannel = (typeof EVENT_CHANNELS)[keyof typeof EVENT_CHANNELS];
export type EventPayload<C extends EventChannel> = z.input<(typeof eventSchemas)[C]>;

/** What every main service uses to talk to the renderer. */
export interface RendererEvents {
  send<C extends EventChannel>(channel: C, payload: EventPayload<C>): void;
}

/** Something a person should read: goes to the renderer as a notice. */
export type Notify = (level: HostNotice['level'], message: string, about?: HostNotice['about']) => void;

export interface EventTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

export interface RendererEventsOptions {
  logger: Logger;
  maxQueued?: number;
  /** How long after did-finish-load to stop waiting for the first report. */
  readyFallbackMs?: number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export class RendererEventQueue implements RendererEvents {
  private target: EventTarget | null = null;
  private ready = false;
  private readonly queue: Array<{ channel: EventChannel; payload: unknown }> = [];
  private fallback: unknown = null;
  private readonly maxQueued: number;
  private readonly readyFallbackMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: RendererEventsOptions) {
    this.maxQueued = options.maxQueued ?? 50;
    this.readyFallbackMs = options.readyFallbackMs ?? 3000;
    this.setTimer = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimeout ?? ((handle) => clearTimeout(handle as NodeJS.Timeout));
  }

  send<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    const schema: z.ZodType = eventSchemas[channel];
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      // A bug in main; the renderer would drop it anyway.
      this.options.logger.error({ channel, issues: parsed.error.issues }, 'refusing to send an invalid event');
      return;
    }
    if (this.ready && this.target !== null && !this.target.isDestroyed()) {
      this.target.send(channel, parsed.data);
      return;
    }
    this.queue.push({ channel, payload: parsed.data });
    if (this.queue.length > this.maxQueued) this.queue.shift();
  }

  notify: Notify = (level, message, about) => {
    this.send(EVENT_CHANNELS.notice, about ? { level, message: message.slice(0, 1000), about } : { level, message: message.slice(0, 1000) });
  };

  /** The window's webContents (or null when it is gone). */
  attach(target: EventTarget | null): void {
    this.target = target;
    // A new (or no) page has not subscribed to anything yet.
    this.pageLoading();
  }

  /** did-start-loading: a (re)load drops the page's subscriptions. */
  pageLoading(): void {
    this.ready = false;
    this.cancelFallback();
  }

  /** did-finish-load: start the fallback clock. */
  pageLoaded(): void {
    this.cancelFallback();
    this.fallback = this.setTimer(() => {
      this.fallback = null;
      this.markReady();
    }, this.readyFallbackMs);
  }

  /** The renderer's call-state report arrived: it is listening. */
  rendererReported(): void {
    this.markReady();
  }

  isReady(): boolean {
    return this.ready;
  }

  private markReady(): void {
    this.cancelFallback();
    if (this.ready) return;
    this.ready = true;
    const target = this.target;
    if (target === null || target.isDestroyed()) return;
    for (const { channel, payload } of this.queue.splice(0)) target.send(channel, payload);
  }

  private cancelFallback(): void {
    if (this.fallback !== null) this.clearTimer(this.fallback);
    this.fallback = null;
  }
}
