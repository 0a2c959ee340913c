/**
 * The armour's parts around every client event (used by eventDispatch.ts): the ack
 * may be missing or not a function (then nobody is answered), and a refused
 * payload is described by its first problem, named by its field.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import { describeError } from './logger';
import type { Ack } from './protocol';

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

/**
 * "to: an id is 8–64 characters…" — the first problem, named by its field; an unknown
 * field by the object it was found in ("offer: unknown field(s) "type"").
 */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid value';
  const path = issue.path.map(String).join('.');
  const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : issue.message;
  return path ? `${path}: ${message}` : message;
}
