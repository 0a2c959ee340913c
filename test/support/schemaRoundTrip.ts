/**
 * Whether what the real server sent parses with its schema and comes out unchanged
 * (a key a schema forgot would be dropped silently by every client). Used by
 * test/server/protocolSchemas.test.ts for a whole call session and by
 * test/sfu/sfuRelay.test.ts for the SFU events, which need a real Janus.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ZodType } from 'zod';
import { ackRefusalSchema, serverAckSchemas, serverEventSchemas, type ClientEventName, type ServerEventName } from '../../signaling-server/protocol';

/** Why `payload` does not parse with `schema`, or does not come out of it unchanged; null when it does. */
export function mismatch(what: string, schema: ZodType, payload: unknown): string | null {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) return `${what}: ${JSON.stringify(parsed.error.issues)}`;
  return isDeepStrictEqual(parsed.data, payload) ? null : `${what}: the schema changed ${JSON.stringify(payload)} into ${JSON.stringify(parsed.data)}`;
}

/** Each event a client received that does not parse (or round-trip) with its schema. */
export function eventMismatches(client: { name: string; received: { event: ServerEventName; payload: unknown }[] }): string[] {
  return client.received.flatMap(({ event, payload }) => mismatch(`${client.name} "${event}"`, serverEventSchemas[event], payload) ?? []);
}

/** Why an ack was refused, or does not parse (or round-trip) with its schema; null when it does. */
export function ackMismatch({ event, ack }: { event: ClientEventName; ack: unknown }): string | null {
  if (ackRefusalSchema.safeParse(ack).success) return `"${event}" was refused: ${JSON.stringify(ack)}`;
  const { ok, ...data } = ack as { ok: unknown };
  return ok === true ? mismatch(`"${event}" ack`, serverAckSchemas[event], data) : `"${event}" ack without ok: ${JSON.stringify(ack)}`;
}
