/**
 * The store's state as the UI sees it (CallView). Pure: the engine calls it after
 * every change and hands the result to its subscribers.
 */
import type { CallSnapshot } from '../../signaling-server/protocol';
import { remoteMembers, ringsAlone, type CallState, type LinkState, type LocalState, type SelfRef } from './callState';
import type { OutgoingState } from './callStateTypes';
import type { ActiveView, CallView, LocalMediaView, RemoteParticipant } from './types';

function localView(local: LocalState): LocalMediaView {
  return { stream: local.stream, muted: local.muted, cameraOn: local.cameraOn, error: local.error };
}

export function toCallView(state: CallState, self: SelfRef): CallView {
  switch (state.phase) {
    case 'idle':
      return { phase: 'idle' };
    case 'outgoing': {
      const answer = state.answeredBy;
      // The callee's device said over the peer path that it accepted (sessionPlan.ts): the call shows now.
      if (answer && state.callId !== null && state.call) return answeredView(state, state.callId, state.call, answer, answer.at);
      const view: CallView = { phase: 'outgoing', callId: state.callId, media: state.media, peer: state.peer, local: localView(state.local) };
      // The one device that rings for them is the one whose answer shows the call: prepare that screen.
      const ringing = state.call?.invitees.find((i) => i.userId === state.peer.userId)?.devices;
      if (state.callId === null || !state.call || ringing?.length !== 1 || !ringing[0]) return view;
      const device = ringing[0].deviceId;
      const expected = { ...state.peer, deviceId: device, audio: true, video: state.media === 'video' };
      return { ...view, prepared: answeredView(state, state.callId, state.call, expected, null) };
    }
    case 'incoming': {
      const accepted: ActiveView = {
        phase: 'active',
        callId: state.callId,
        media: state.media,
        connectedAt: null,
        participants: remoteMembers(state.call, self).map((m) => participant(m, state.links[m.deviceId])),
        invitees: state.call.invitees.filter((i) => i.userId !== self.userId).map((i) => ({ userId: i.userId, displayName: i.displayName })),
        local: localView(state.local),
        maxParticipants: state.call.maxParticipants,
        activeSpeaker: null,
        reconnectingToServer: false,
      };
      // Accepted on the only device that rang: it already sends, the call shows before the server's ack.
      if (state.accepting && ringsAlone(state.call, self.userId, self.deviceId)) return accepted;
      const others = remoteMembers(state.call, self)
        .filter((m) => m.userId !== state.from.userId && m.userId !== self.userId)
        .filter((m, i, all) => all.findIndex((o) => o.userId === m.userId) === i)
        .map((m) => ({ userId: m.userId, displayName: m.displayName }));
      return {
        phase: 'incoming',
        callId: state.callId,
        media: state.media,
        from: state.from,
        others,
        local: localView(state.local),
        prepared: accepted,
      };
    }
    case 'active': {
      const participants: RemoteParticipant[] = remoteMembers(state.call, self).map((m) =>
        participant(m, state.links[m.deviceId]),
      );
      return {
        phase: 'active',
        callId: state.callId,
        media: state.media,
        connectedAt: state.connectedAt,
        participants,
        invitees: state.call.invitees.map((i) => ({ userId: i.userId, displayName: i.displayName })),
        local: localView(state.local),
        maxParticipants: state.call.maxParticipants,
        activeSpeaker: state.activeSpeaker,
        reconnectingToServer: !state.serverOnline,
        ...(state.call.topology === 'sfu' ? { topology: 'sfu' as const } : {}),
      };
    }
    case 'ended':
      return {
        phase: 'ended',
        callId: state.callId,
        media: state.media,
        reason: state.reason,
        peers: state.peers,
        durationMs: state.connectedAt === null ? 0 : Math.max(0, state.endedAt - state.connectedAt),
        ...(state.detail === undefined ? {} : { detail: state.detail }),
      };
  }
}

/** The call as it shows once the dialled device answered over the peer path; `connectedAt` from its word. */
function answeredView(state: OutgoingState, callId: string, call: CallSnapshot, answer: Shown, connectedAt: number | null): ActiveView {
  return {
    phase: 'active',
    callId,
    media: state.media,
    connectedAt,
    participants: [participant(answer, state.links[answer.deviceId])],
    invitees: [],
    local: localView(state.local),
    maxParticipants: call.maxParticipants,
    activeSpeaker: null,
    reconnectingToServer: false,
  };
}

interface Shown {
  userId: string;
  displayName: string;
  deviceId: string;
  audio: boolean;
  video: boolean;
}

function participant(m: Shown, link: LinkState | undefined): RemoteParticipant {
  return {
    userId: m.userId,
    displayName: m.displayName,
    deviceId: m.deviceId,
    audio: m.audio,
    video: m.video,
    connection: link?.connection ?? 'new',
    stream: link?.stream ?? null,
    screen: null,
    speaking: link?.speaking ?? false,
    ...(link?.unverified ? { unverified: true as const } : {}),
  };
}

/**
 * Whether two views show the same thing: plain data compared by value, anything
 * else (MediaStream) by identity. The engine keeps the old view object when the
 * new one is the same, so subscribers are not woken every speaker poll.
 */
export function sameView(a: CallView, b: CallView): boolean {
  return same(a, b);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => k in rb && same(ra[k], rb[k]));
}
