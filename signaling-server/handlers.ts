/**
 * One socket's client events, each parsed by its protocol schema and answered with
 * an ack. The decisions live in the call registry and presence; this is the glue.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Party } from './callState';
import type { CallRegistry, InviteTarget } from './callRegistry';
import { guardEvent, type ListenerHost } from './eventGuard';
import type { Presence } from './presence';
import {
  clientEventSchemas,
  type Ack,
  type ClientEventName,
  type IceServer,
  type PresenceUser,
  type UserId,
} from './protocol';

type Payloads = { [E in ClientEventName]: z.output<(typeof clientEventSchemas)[E]> };
/** The same table, typed so that indexing it with a generic event keeps the payload type. */
const schemas: { [E in ClientEventName]: z.ZodType<Payloads[E]> } = clientEventSchemas;

export interface HandlerDeps<S> {
  registry: CallRegistry;
  presence: Presence<S>;
  /** Tell everyone that a user's presence changed. */
  broadcastPresence: (user: PresenceUser) => void;
  iceServers: (userId: UserId) => { iceServers: IceServer[]; ttlSeconds: number };
  log: Logger;
}

export function registerHandlers<S>(socket: ListenerHost, party: Party, deps: HandlerDeps<S>): void {
  const { registry, presence, log } = deps;
  const on = <E extends ClientEventName>(event: E, handle: (payload: Payloads[E]) => Ack<object>): void =>
    guardEvent(socket, event, schemas[event], handle, log);

  on('presence:status', ({ status }) => {
    const changed = presence.choose(party.userId, status);
    if (changed) deps.broadcastPresence(changed);
    return { ok: true };
  });
  on('call:invite', (p) => registry.invite(party, inviteTarget(presence, p.to), p));
  on('call:accept', (p) => registry.accept(party, p));
  on('call:decline', (p) => registry.decline(party, p.callId));
  on('call:cancel', (p) => registry.cancel(party, p));
  on('call:leave', (p) => registry.leave(party, p.callId));
  on('call:media', (p) => registry.setMedia(party, p));
  on('call:rejoin', (p) => registry.rejoin(party, p));
  on('ice:servers', () => ({ ok: true, ...deps.iceServers(party.userId) }));
  on('signal', (p) => registry.relay(party, p));
}

function inviteTarget<S>(presence: Presence<S>, userId: UserId): InviteTarget | null {
  const user = presence.user(userId);
  const chosenStatus = presence.chosenStatus(userId);
  if (!user || !chosenStatus) return null;
  return { userId, displayName: user.displayName, chosenStatus, devices: presence.devicesOf(userId) };
}
