/**
 * What each client event does, given the device that sent it and its parsed
 * payload: one handler per event, answering with the ack. The decisions live in
 * the call registry and presence; this is the glue. Parsing happens before
 * (eventGuard.ts on a socket, clusterCoordinator.ts for a forwarded event).
 */
import type { z } from 'zod';
import type { Party } from './callRecord';
import type { CallRegistry, InviteTarget } from './callRegistry';
import { fail, type Refusal } from './callRefusals';
import type { ContactDesk } from './contactDesk';
import { searchDirectory } from './directory';
import type { Presence } from './presence';
import type { SfuRequests } from './sfu/types';
import {
  clientEventSchemas,
  type Ack,
  type AckData,
  type ClientEventName,
  type IceServer,
  type PresenceUser,
  type UserId,
} from './protocol';

export type ClientPayloads = { [E in ClientEventName]: z.output<(typeof clientEventSchemas)[E]> };
/** The same table, typed so that indexing it with a generic event keeps the payload type. */
export const clientSchemas: { [E in ClientEventName]: z.ZodType<ClientPayloads[E]> } = clientEventSchemas;
export const CLIENT_EVENT_NAMES = Object.keys(clientEventSchemas) as [ClientEventName, ...ClientEventName[]];

/**
 * Most handlers answer at once; the `sfu:*` ones wait for the media server (Janus).
 * Each answers what its ack schema promises the client (protocol.ts
 * `serverAckSchemas`), e.g. `call:invite` its `offeredTo`: checked here, where the
 * answer is made, since from here on the ack travels as an opaque object.
 */
export type Handler<E extends ClientEventName> = (party: Party, payload: ClientPayloads[E]) => Ack<AckData<E>> | Promise<Ack<AckData<E>>>;
export type Handlers = { [E in ClientEventName]: Handler<E> };

export interface HandlerDeps<S> {
  registry: CallRegistry;
  presence: Presence<S>;
  /** Tell a user's mutual contacts (and the user's own devices) that their presence changed. */
  broadcastPresence: (user: PresenceUser) => void;
  /** Replace a user's contact list and tell whoever became or ceased to be a mutual contact. */
  setContacts: (party: Party, userIds: readonly UserId[], strangerCalls: ClientPayloads['contacts:set']['strangerCalls']) => void;
  desk: ContactDesk<S>;
  /** The server offers a directory (`--directory on`). */
  directory: boolean;
  iceServers: (userId: UserId) => { iceServers: IceServer[]; ttlSeconds: number };
  /** The SFU (`--janus-url`); absent: every `sfu:*` request is refused `sfu_unavailable`. */
  sfu?: SfuRequests | undefined;
}

const NO_SFU = fail('sfu_unavailable', 'This server has no media server (Janus) configured, so calls stay peer to peer.');

const DIRECTORY_OFF = fail('directory_off', 'This server has no directory. Add people with their invite link or code instead.');

/**
 * TURN credentials let whoever holds them relay traffic through the operator's
 * TURN server, so they go only to devices that need them now: members of a live
 * call and devices it rings (the app asks when it opens a peer session, which is
 * exactly then). Anyone else is refused rather than given a STUN-only list: the
 * app keeps an answer for the whole call (rtcConfig.ts) but asks again after a
 * refusal, so a request that raced ahead of the call costs nothing.
 */
const NO_ICE_SERVERS: Refusal = {
  ok: false,
  error: {
    code: 'not_in_call',
    message: 'ICE servers (and TURN credentials) are handed out only to devices in a call or being rung for one. Start or answer a call first.',
  },
};

export function createHandlers<S>(deps: HandlerDeps<S>): Handlers {
  const { registry, presence } = deps;
  return {
    'presence:status': (party, { status }) => {
      const changed = presence.choose(party.userId, status);
      if (changed) deps.broadcastPresence(changed);
      return { ok: true };
    },
    'call:invite': (party, p) => registry.invite(party, inviteTarget(presence, p.to, party.userId), p),
    'call:accept': (party, p) => registry.accept(party, p),
    'call:decline': (party, p) => registry.decline(party, p.callId),
    'call:cancel': (party, p) => registry.cancel(party, p),
    'call:leave': (party, p) => registry.leave(party, p.callId),
    'call:media': (party, p) => registry.setMedia(party, p),
    'call:rejoin': (party, p) => registry.rejoin(party, p),
    'ice:servers': (party) => (registry.isInOrRingingForCall(party) ? { ok: true, ...deps.iceServers(party.userId) } : NO_ICE_SERVERS),
    signal: (party, p) => registry.relay(party, p),
    'block:set': (party, { userIds }) => {
      presence.setBlocked(party.userId, userIds);
      registry.refuseRingsFrom(party.userId, new Set(userIds));
      return { ok: true };
    },
    'contacts:set': (party, { userIds, strangerCalls }) => {
      deps.setContacts(party, userIds, strangerCalls);
      return { ok: true };
    },
    'contact:request': (party, p) => deps.desk.request(party, p),
    'contact:answer': (party, p) => deps.desk.answer(party, p),
    'link:request': (party, p) => deps.desk.linkRequest(party, p),
    'link:answer': (party, p) => deps.desk.linkAnswer(party, p),
    'directory:search': (party, { query }) =>
      deps.directory ? { ok: true, users: searchDirectory(presence.everyone(), query, party.userId) } : DIRECTORY_OFF,
    'sfu:publish': (party, p) => deps.sfu?.publish(party, p) ?? NO_SFU,
    'sfu:unpublish': (party, p) => deps.sfu?.unpublish(party, p) ?? NO_SFU,
    'sfu:subscribe': (party, p) => deps.sfu?.subscribe(party, p) ?? NO_SFU,
    'sfu:answer': (party, p) => deps.sfu?.answer(party, p) ?? NO_SFU,
    'sfu:candidate': (party, p) => deps.sfu?.candidate(party, p) ?? NO_SFU,
    'sfu:layer': (party, p) => deps.sfu?.layer(party, p) ?? NO_SFU,
  };
}

function inviteTarget<S>(presence: Presence<S>, userId: UserId, callerId: UserId): InviteTarget | null {
  const user = presence.user(userId);
  const chosenStatus = presence.chosenStatus(userId);
  if (!user || !chosenStatus) return null;
  const mutual = presence.mutual(userId, callerId);
  return {
    userId,
    displayName: user.displayName,
    chosenStatus,
    // In connection order, the most recent last: the registry gives a first offer to that one.
    devices: presence.devicesOf(userId),
    // 'refuse' turns away everyone who is not a mutual contact, the same way a block does.
    blocksCaller: presence.blocks(userId, callerId) || (presence.strangerCalls(userId) === 'refuse' && !mutual),
    mutual,
  };
}
