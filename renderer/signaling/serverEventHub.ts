/**
 * Where server events are parsed, once, before anyone sees them. The socket hands
 * the hub `unknown` payloads; the hub parses each with its schema from protocol.ts
 * (`serverEventSchemas`) and hands listeners the typed result. An event that fails
 * its schema is dropped and reported, so no listener ever sees a malformed payload.
 *
 * The signaling client feeds it from socket.io; test fakes feed it from their own
 * transports, so a fake's payloads pass the same schemas as the real server's.
 */
import type { z } from 'zod';
import {
  serverEventSchemas,
  type ClientEventName,
  type ServerEventName,
  type ServerEventPayload,
} from '../../signaling-server/protocol';
import { log } from '../log';

export type ServerEventListener<E extends ServerEventName> = (payload: ServerEventPayload<E>) => void;

/** Typed, parsed server events: what the call engine and the presence list listen to. */
export interface ServerEventSource {
  on<E extends ServerEventName>(event: E, listener: ServerEventListener<E>): void;
  off<E extends ServerEventName>(event: E, listener: ServerEventListener<E>): void;
}

/** What the client drops when it fails its schema: a server event, a connect_error refusal, or an ack. */
export type DroppedPayload = ServerEventName | 'connect_error' | `${ClientEventName} ack`;

/** Told about each dropped payload: which one, and why it failed. */
export type DroppedEventReport = (event: DroppedPayload, issues: z.ZodError['issues']) => void;

/** By default a dropped event is a warning in the renderer log, with the schema's issues as detail. */
export const warnDroppedEvent: DroppedEventReport = (event, issues) => {
  log.child('signaling').warn(`dropped a "${event}" from the server: its payload does not match protocol.ts`, issues);
};

type AnyListener = (payload: unknown) => void;

export class ServerEventHub implements ServerEventSource {
  private readonly listeners = new Map<ServerEventName, Set<AnyListener>>();

  constructor(private readonly dropped: DroppedEventReport = warnDroppedEvent) {}

  on<E extends ServerEventName>(event: E, listener: ServerEventListener<E>): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as AnyListener);
  }

  off<E extends ServerEventName>(event: E, listener: ServerEventListener<E>): void {
    this.listeners.get(event)?.delete(listener as AnyListener);
  }

  /**
   * Parses `payload` as `event` and hands it to the listeners; drops it (and
   * reports why) when it does not parse. Returns whether it was delivered.
   */
  receive(event: ServerEventName, payload: unknown): boolean {
    const parsed = serverEventSchemas[event].safeParse(payload);
    if (!parsed.success) {
      this.dropped(event, parsed.error.issues);
      return false;
    }
    // A copy: a listener may unsubscribe (or subscribe) while we deliver.
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(parsed.data);
    return true;
  }

  /** How many listeners are subscribed, over all events (tests check nothing leaks). */
  listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }
}
