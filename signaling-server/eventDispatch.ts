/**
 * Every client event of one socket through ONE socket.io middleware: the rate
 * limit, then the schema, the handler and the ack, so that no input can throw out
 * of a handler: a missing or non-function ack is tolerated, a payload is `unknown`
 * until its schema parsed it, and a handler that throws answers `internal`.
 *
 * Why one middleware: registering ten guarded listeners and a limiter middleware costs each
 * socket ~20 closures, their contexts and a dictionary-mode listener table, about
 * 3 KiB of heap per connection (measured by `npm run bench`: Parley's server held
 * 14.2 KiB per client against 10.7 KiB for a bare socket.io relay). Here a socket
 * costs one closure and its limiter; the event table is shared by all sockets.
 *
 * socket.io runs a socket's middlewares on every incoming event packet before it
 * emits the event (socket.io/lib/socket.ts, `run`); a packet whose middleware
 * neither calls `next` nor fails is dropped there, which is what a handled event
 * wants. Unknown event names go on to socket.io, which ignores them as before;
 * socket.io's reserved names are dropped here: socket.io-parser refuses most of
 * them from a client but not `error`, which socket.io would emit to the socket's
 * own 'error' listener as if the server had failed (issue 10: 200 such events
 * wrote 7.3 MiB of warnings).
 */
import type { Logger } from 'pino';
import { describeIssues, safeReply, splitArgs } from './eventGuard';
import { clientSchemas, type ClientPayloads } from './handlers';
import { describeError } from './logger';
import type { RateLimitOptions } from './options';
import type { Ack, ClientEventName, ServerToClientEvents } from './protocol';
import { RateLimiter } from './rateLimit';

export interface DispatchSocket {
  use(fn: (event: unknown[], next: (err?: Error) => void) => void): unknown;
  emit<E extends 'session:kicked'>(event: E, ...args: Parameters<ServerToClientEvents[E]>): boolean;
  disconnect(close?: boolean): unknown;
  readonly data: { deviceId: string };
}

/** Answers one parsed client event, now or later. */
export type DispatchHandler = <E extends ClientEventName>(event: E, payload: ClientPayloads[E]) => Ack<object> | Promise<Ack<object>>;

/** socket.io's reserved event names (socket.io/lib/socket.ts, RESERVED_EVENTS): never a client's to send. */
export const RESERVED_EVENT_NAMES: ReadonlySet<string> = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
  'error',
]);

const isClientEvent = (name: unknown): name is ClientEventName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(clientSchemas, name);

function failed(event: string, err: unknown, log: Logger): Ack<object> {
  log.error({ err: describeError(err), event }, 'a handler threw');
  return { ok: false, error: { code: 'internal', message: `The server failed to handle "${event}". Try again.` } };
}

/** Parses, handles and acks one event; nothing a handler throws escapes. */
function answer<E extends ClientEventName>(event: E, args: readonly unknown[], handle: DispatchHandler, log: Logger): void {
  const { payload, reply } = splitArgs(args);
  let response: Ack<object> | Promise<Ack<object>>;
  try {
    const parsed = clientSchemas[event].safeParse(payload);
    response = parsed.success
      ? handle(event, parsed.data)
      : { ok: false, error: { code: 'invalid_payload', message: `The "${event}" request is not valid: ${describeIssues(parsed.error)}.` } };
  } catch (err) {
    response = failed(event, err, log);
  }
  if (response instanceof Promise) {
    response.then(
      (later) => safeReply(reply, later, log),
      (err: unknown) => safeReply(reply, failed(event, err, log), log),
    );
  } else {
    safeReply(reply, response, log);
  }
}

export function installEventDispatch(socket: DispatchSocket, handle: DispatchHandler, options: RateLimitOptions, log: Logger): void {
  const limiter = new RateLimiter(options, Date.now());
  let kicked = false;
  socket.use((packet, next) => {
    const decision = limiter.check(Date.now());
    if (decision === 'allow') {
      const [name, ...args] = packet;
      if (isClientEvent(name)) answer(name, args, handle, log);
      else if (typeof name === 'string' && RESERVED_EVENT_NAMES.has(name)) return; // dropped, unanswered
      else next();
      return;
    }
    const { reply } = splitArgs(packet.slice(1));
    safeReply(
      reply,
      {
        ok: false,
        error: {
          code: 'rate_limited',
          message: `Too many requests: at most ${options.refillPerSecond} per second (bursts of ${options.capacity}). This one was dropped; slow down.`,
        },
      },
      log,
    );
    if (decision === 'kick' && !kicked) {
      kicked = true;
      log.warn({ deviceId: socket.data.deviceId }, 'socket kicked for flooding');
      socket.emit('session:kicked', {
        code: 'rate_limited',
        message: `Disconnected for sending too many requests (${options.maxViolations} refused within ${options.windowMs / 1000} s).`,
      });
      socket.disconnect(true);
    }
  });
}
