/**
 * The armour around every client event handler: the ack may be missing or not a
 * function (then nobody is answered), the payload is `unknown` until its schema
 * parsed it, and nothing a handler throws escapes: the client gets `internal` and
 * the error is logged. socket.io ignores events nobody registered, so unknown
 * event names need no code here.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import { describeError } from './logger';
import type { Ack } from './protocol';

type AnyListener = (...args: unknown[]) => void;

/** The part of a socket this module needs: registering an untyped listener. */
export interface ListenerHost {
  on(event: string, listener: AnyListener): unknown;
}

type Reply = (response: unknown) => void;

/** socket.io appends the ack callback as the last argument when the client asked for one. */
export function splitArgs(args: readonly unknown[]): { payload: unknown; reply: Reply | undefined } {
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  const reply = typeof last === 'function' ? (last as Reply) : undefined;
  // emit(event, ack) carries no payload: the only argument is the ack itself.
  const payload = reply !== undefined && args.length === 1 ? undefined : args[0];
  return { payload, reply };
}

export function safeReply(reply: Reply | undefined, response: Ack<object>, log: Logger): void {
  if (reply === undefined) return;
  try {
    reply(response);
  } catch (err) {
    log.warn({ err: describeError(err) }, 'could not send an ack');
  }
}

/** "to: an id is 8–64 characters…" — the first problem, named by its field. */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid value';
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * `handle` may answer now or later (a clustered gateway waits for the
 * coordinator); an answer given now is sent now, so a single node adds no
 * microtask to the relay path.
 */
export function guardEvent<S extends z.ZodType>(
  host: ListenerHost,
  event: string,
  schema: S,
  handle: (payload: z.output<S>) => Ack<object> | Promise<Ack<object>>,
  log: Logger,
): void {
  host.on(event, (...args: unknown[]) => {
    const { payload, reply } = splitArgs(args);
    let response: Ack<object> | Promise<Ack<object>>;
    try {
      const parsed = schema.safeParse(payload);
      response = parsed.success
        ? handle(parsed.data)
        : {
            ok: false,
            error: { code: 'invalid_payload', message: `The "${event}" request is not valid: ${describeIssues(parsed.error)}.` },
          };
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
  });
}

function failed(event: string, err: unknown, log: Logger): Ack<object> {
  log.error({ err: describeError(err), event }, 'a handler threw');
  return { ok: false, error: { code: 'internal', message: `The server failed to handle "${event}". Try again.` } };
}
