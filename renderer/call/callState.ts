/**
 * The call store's state and its pure reducer. Every change of a call goes through
 * `reduceCall`; an event that does not apply to the current state returns the very
 * same state object, so "nothing happened" is cheap to see and to test.
 *
 *   idle ──dial──▶ outgoing ──dialAcked(peer already member: glare merge)──▶ active
 *     │               │ ──callUpdated(someone else became a member)──────────▶ active
 *     │               └──dialFailed / cancel / inviteEnded / callEnded / failed / unverified─▶ ended
 *     └──incoming──▶ incoming ──accept──▶ incoming(accepting) ──acceptAcked──▶ active
 *                      └──decline / ringEnded / acceptFailed / callEnded / failed / unverified─▶ ended
 *   active ──hangUp / callEnded / failed / unverified──▶ ended ──dismiss──▶ idle
 *   ended ──dial / incoming──▶ (a new call replaces the ended view)
 *
 * Time comes in on the events (`at`), so the reducer stays pure.
 *
 * The store also keeps what the engine must remember between events, so that the
 * call has one source of truth: which calls ended here (`endedCalls`: their late
 * updates must not be taken for a new dial's), whether the last other member left
 * while the path to them was down (`droppedWhileDown`: the server's 'hangup' then
 * means the call dropped), and which mute/camera flags were asked of the server
 * and not yet seen in a snapshot (`flagsSent`).
 */
import type { CallSnapshot, InviteEndReason, RingEndReason } from '../../signaling-server/protocol';
import {
  NO_LOCAL_MEDIA,
  ENDED_CALLS_KEPT,
  hasEnded,
  isInCall,
  leftWhileDown,
  remoteMembers,
  ringsAlone,
  wantedFlags,
  type ActiveState,
  type CallEvent,
  type CallState,
  type EndedState,
  type IncomingState,
  type InCallState,
  type LinkState,
  type OutgoingState,
  type SelfRef,
} from './callStateTypes';
import { nextSpeech, pickActiveSpeaker, SILENT, type SpeechState } from './speakerDetection';
import type { EndReason, PersonRef } from './types';

export * from './callStateTypes';


function withEnded(endedCalls: readonly string[], callId: string | null): readonly string[] {
  if (callId === null || endedCalls.includes(callId)) return endedCalls;
  return [...endedCalls, callId].slice(-ENDED_CALLS_KEPT);
}


function addPeople(into: readonly PersonRef[], people: readonly PersonRef[], self: SelfRef): PersonRef[] {
  const out = [...into];
  for (const p of people) {
    if (p.userId !== self.userId && !out.some((o) => o.userId === p.userId)) {
      out.push({ userId: p.userId, displayName: p.displayName });
    }
  }
  return out;
}

/** The people on the other side, as the ended view and the history name them. */
export function peersOf(state: InCallState, self: SelfRef): PersonRef[] {
  switch (state.phase) {
    case 'outgoing':
      return [state.peer];
    case 'incoming':
      return addPeople([state.from], state.call.members, self);
    case 'active':
      return state.met;
  }
}

function end(state: InCallState, self: SelfRef, reason: EndReason, at: number, detail?: string): EndedState {
  // A dial the callee's device answered over the peer path (the server's word still on
  // its way) was a call: it shows as one (callView.ts), and ends as one.
  const peerAnsweredAt = state.phase === 'outgoing' && state.answeredBy ? state.answeredBy.at : null;
  return {
    phase: 'ended',
    endedCalls: withEnded(state.endedCalls, state.callId),
    callId: state.callId,
    media: state.media,
    direction: state.direction,
    reason,
    ...(detail === undefined ? {} : { detail }),
    peers: peersOf(state, self),
    startedAt: state.startedAt,
    connectedAt: state.phase === 'active' ? state.connectedAt : peerAnsweredAt,
    endedAt: at,
    answered: state.phase === 'active' || peerAnsweredAt !== null,
  };
}

function activate(state: OutgoingState | IncomingState, call: CallSnapshot, self: SelfRef, at: number): ActiveState {
  const members = remoteMembers(call, self);
  // The connection may be up already: it was prepared while the call rang.
  const connected = members.some((m) => state.links[m.deviceId]?.connection === 'connected');
  return {
    phase: 'active',
    callId: call.callId,
    media: call.media,
    direction: state.direction,
    startedAt: state.startedAt,
    local: state.local,
    links: state.links,
    call,
    connectedAt: connected ? at : null,
    activeSpeaker: null,
    met: addPeople(peersOf(state, self), members, self),
    serverOnline: true,
    droppedWhileDown: false,
    flagsSent: null,
    endedCalls: state.endedCalls,
  };
}

const ringEndReason: Record<RingEndReason, EndReason> = {
  answered_elsewhere: 'answered_elsewhere',
  declined_elsewhere: 'declined_elsewhere',
  cancelled: 'missed',
  no_answer: 'missed',
  call_ended: 'missed',
};
const inviteEndReason: Record<Exclude<InviteEndReason, 'answered'>, EndReason> = {
  declined: 'declined',
  no_answer: 'no_answer',
  cancelled: 'cancelled',
  offline: 'user_offline',
};

function withLink(state: InCallState, deviceId: string, patch: Partial<LinkState>): Record<string, LinkState> {
  const prev = state.links[deviceId] ?? { ...SILENT, connection: 'new', stream: null };
  return { ...state.links, [deviceId]: { ...prev, ...patch } };
}

/** The invite of this dial attempt has not been answered yet (one ack per invite). */
function awaitingAck(state: InCallState, attempt: string): state is OutgoingState {
  return state.phase === 'outgoing' && state.attempt === attempt && state.callId === null;
}

/**
 * Keeps `flagsSent` true after every change of an active call: cleared once my
 * member entry shows my media, asked anew when it does not and nothing equal is
 * on its way. While media is still being acquired, or without my entry, nothing
 * is decided. The engine sends call:media whenever a new ask appears.
 */
function syncFlags(state: ActiveState, self: SelfRef): ActiveState {
  if (state.local.acquiring) return state;
  const me = state.call.members.find((m) => m.deviceId === self.deviceId);
  if (!me) return state;
  const want = wantedFlags(state.local);
  if (me.audio === want.audio && me.video === want.video) return state.flagsSent === null ? state : { ...state, flagsSent: null };
  const sent = state.flagsSent;
  if (sent !== null && sent.audio === want.audio && sent.video === want.video) return state;
  return { ...state, flagsSent: want };
}

export function reduceCall(state: CallState, event: CallEvent, self: SelfRef): CallState {
  const next = reduceEvent(state, event, self);
  // A failed request is asked again at the next change, not at once (no retry loop while offline).
  if (next === state || next.phase !== 'active' || event.type === 'flagsFailed') return next;
  return syncFlags(next, self);
}

function reduceEvent(state: CallState, event: CallEvent, self: SelfRef): CallState {
  switch (event.type) {
    case 'callAbandoned': {
      const endedCalls = withEnded(state.endedCalls, event.callId);
      return endedCalls === state.endedCalls ? state : { ...state, endedCalls };
    }
    case 'callUpdated':
      // Updates of a call that ended here are late: never another call's.
      if (hasEnded(state, event.call.callId)) return state;
      break;
    case 'dial':
      if (state.phase !== 'idle' && state.phase !== 'ended') return state;
      return {
        phase: 'outgoing',
        attempt: event.attempt,
        callId: null,
        peer: event.peer,
        call: null,
        media: event.media,
        direction: 'outgoing',
        startedAt: event.at,
        local: NO_LOCAL_MEDIA,
        links: {},
        endedCalls: state.endedCalls,
      };
    case 'incoming': {
      if (state.phase !== 'idle' && state.phase !== 'ended') return state;
      const { incoming } = event;
      return {
        phase: 'incoming',
        callId: incoming.callId,
        from: incoming.from,
        call: incoming.call,
        accepting: false,
        media: incoming.media,
        direction: 'incoming',
        startedAt: event.at,
        local: NO_LOCAL_MEDIA,
        links: {},
        endedCalls: state.endedCalls,
      };
    }
    case 'dismiss':
      return state.phase === 'ended' ? { phase: 'idle', endedCalls: state.endedCalls } : state;
  }
  if (!isInCall(state)) return state;

  switch (event.type) {
    case 'dialAcked':
      if (!awaitingAck(state, event.attempt)) return state;
      // Glare: the server merged our invite into the call the peer had just made.
      if (remoteMembers(event.call, self).length > 0) return activate(state, event.call, self, event.at);
      return { ...state, callId: event.call.callId, call: event.call, media: event.call.media };
    case 'dialFailed':
      if (!awaitingAck(state, event.attempt)) return state;
      return end(state, self, event.reason, event.at, event.detail);
    case 'accept':
      return state.phase === 'incoming' && !state.accepting ? { ...state, accepting: true } : state;
    case 'peerAccepted': {
      // A 1:1 dial only, once per dial, and only from the device that rings alone for the person called.
      if (state.phase !== 'outgoing' || state.answeredBy || state.callId !== event.callId || !state.call) return state;
      if (event.userId !== state.peer.userId || !ringsAlone(state.call, event.userId, event.deviceId)) return state;
      const { deviceId, userId, audio, video, at } = event;
      return { ...state, answeredBy: { deviceId, userId, displayName: state.peer.displayName, audio, video, at } };
    }
    case 'acceptAcked':
      if (state.phase !== 'incoming' || !state.accepting || state.callId !== event.call.callId) return state;
      return activate(state, event.call, self, event.at);
    case 'acceptFailed':
      if (state.phase !== 'incoming' || state.callId !== event.callId) return state;
      return end(state, self, event.reason, event.at, event.detail);
    case 'decline':
      return state.phase === 'incoming' ? end(state, self, 'local_decline', event.at) : state;
    case 'cancel':
      return state.phase === 'outgoing' ? end(state, self, 'cancelled', event.at) : state;
    case 'hangUp':
      if (state.phase === 'active' || (state.phase === 'outgoing' && state.answeredBy)) return end(state, self, 'local_hangup', event.at);
      return state;
    case 'failed':
      return end(state, self, 'failed', event.at, event.detail);
    case 'unverified':
      return end(state, self, 'unverified', event.at);
    case 'linkUnverified':
      return { ...state, links: withLink(state, event.deviceId, { connection: 'failed', stream: null, unverified: true }) };
    case 'ringEnded':
      if (state.phase !== 'incoming' || state.callId !== event.callId) return state;
      return end(state, self, ringEndReason[event.reason], event.at);
    case 'callEnded': {
      if (state.callId !== event.callId) return state;
      if (state.phase === 'incoming') return end(state, self, 'missed', event.at);
      const dropped = state.phase === 'active' && state.droppedWhileDown && event.reason === 'hangup';
      return end(state, self, dropped ? 'disconnected' : event.reason, event.at);
    }
    case 'callUpdated': {
      const { call } = event;
      // The server sends call:updated to the acting device before its ack, and an
      // ack only resolves a promise whose continuation runs after the events that
      // came with it (one socket read). So while a dial or an accept awaits its ack,
      // an update of a call I am a member of is that call — the store drops
      // updates of calls that ended here (above), the only other kind a member could get.
      const member = call.members.some((m) => m.deviceId === self.deviceId);
      if (state.phase === 'outgoing' && state.callId === null && member) {
        const adopted = { ...state, callId: call.callId };
        return remoteMembers(call, self).length > 0
          ? activate(adopted, call, self, event.at)
          : { ...adopted, call, media: call.media };
      }
      if (state.callId !== call.callId) return state;
      if (state.phase === 'incoming' && state.accepting && member) return activate(state, call, self, event.at);
      if (state.phase === 'outgoing') {
        if (remoteMembers(call, self).length > 0) return activate(state, call, self, event.at);
        // A device that no longer rings alone (another one joined the ring) is not taken at its word any more.
        const { answeredBy, ...rest } = state;
        return answeredBy && ringsAlone(call, answeredBy.userId, answeredBy.deviceId)
          ? { ...state, call, media: call.media }
          : { ...rest, call, media: call.media };
      }
      if (state.phase === 'incoming') return { ...state, call };
      return { ...state, call, met: addPeople(state.met, remoteMembers(call, self), self) };
    }
    case 'inviteEnded': {
      if (state.callId !== event.callId) return state;
      if (state.phase === 'outgoing') {
        if (event.userId !== state.peer.userId || event.reason === 'answered') return state;
        return end(state, self, inviteEndReason[event.reason], event.at);
      }
      // 'answered' comes just before the update that lists them as a member; dropping
      // them now would close the session prepared for them and open a new one.
      if (state.phase !== 'active' || event.reason === 'answered') return state;
      const invitees = state.call.invitees.filter((i) => i.userId !== event.userId);
      if (invitees.length === state.call.invitees.length) return state;
      return { ...state, call: { ...state.call, invitees } };
    }
    case 'memberLeft': {
      if (state.phase !== 'active' || state.callId !== event.callId) return state;
      const members = state.call.members.filter((m) => m.deviceId !== event.deviceId);
      if (members.length === state.call.members.length) return state;
      const droppedWhileDown = state.droppedWhileDown || leftWhileDown(state, self, event.deviceId);
      return { ...state, call: { ...state.call, members }, droppedWhileDown };
    }
    case 'linkPhase': {
      const links = withLink(state, event.deviceId, { connection: event.connection });
      if (state.phase !== 'active') return { ...state, links };
      const firstConnect =
        event.connection === 'connected' &&
        state.connectedAt === null &&
        remoteMembers(state.call, self).some((m) => m.deviceId === event.deviceId);
      return { ...state, links, connectedAt: firstConnect ? event.at : state.connectedAt };
    }
    case 'linkStream':
      return { ...state, links: withLink(state, event.deviceId, { stream: event.stream }) };
    case 'linkClosed': {
      if (!(event.deviceId in state.links)) return state;
      const links = { ...state.links };
      delete links[event.deviceId];
      return state.phase === 'active' && state.activeSpeaker === event.deviceId
        ? { ...state, links, activeSpeaker: null }
        : { ...state, links };
    }
    case 'audioLevels':
      return state.phase === 'active' ? hearLevels(state, event.levels, self) : state;
    case 'localMedia':
      return { ...state, local: { ...state.local, ...event.local } };
    case 'serverLink':
      return state.phase === 'active' && state.serverOnline !== event.online ? { ...state, serverOnline: event.online } : state;
    case 'flagsFailed':
      if (state.phase !== 'active' || state.callId !== event.callId || state.flagsSent !== event.flags) return state;
      return { ...state, flagsSent: null };
  }
}

function hearLevels(state: ActiveState, levels: Readonly<Record<string, number>>, self: SelfRef): ActiveState {
  const links: Record<string, LinkState> = { ...state.links };
  const speech: Record<string, SpeechState> = {};
  for (const member of remoteMembers(state.call, self)) {
    const link = links[member.deviceId];
    if (!link) continue;
    // A muted member sends silence; the flag is the authority even before it does.
    const level = member.audio ? (levels[member.deviceId] ?? 0) : 0;
    const next = { ...link, ...nextSpeech(link, level) };
    links[member.deviceId] = next;
    speech[member.deviceId] = next;
  }
  return { ...state, links, activeSpeaker: pickActiveSpeaker(state.activeSpeaker, speech) };
}
