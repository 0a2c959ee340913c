/**
 * The shapes of the call store: its states (a tagged union by `phase`), the events
 * that move it, and the small queries the engine asks of a state. The reducer that
 * moves it is callState.ts.
 */
import type {
  CallEndReason,
  CallMedia,
  CallMember,
  CallSnapshot,
  IncomingCall,
  InviteEndReason,
  RingEndReason,
} from '../../signaling-server/protocol';
import type { SpeechState } from './speakerDetection';
import type { EndReason, LocalMediaView, PeerConnectionPhase, PersonRef } from './types';

export interface SelfRef {
  userId: string;
  deviceId: string;
  displayName: string;
}

export interface LocalState extends LocalMediaView {
  /** A microphone track exists (false: it failed, or has not been acquired yet). */
  microphone: boolean;
  /** getUserMedia is still running. */
  acquiring: boolean;
}

/** What we know about the connection to one remote device. */
export interface LinkState extends SpeechState {
  connection: PeerConnectionPhase;
  stream: MediaStream | null;
  /** Their description failed its DTLS check: this device refused the connection for the rest of the call. */
  unverified?: true;
}

type Direction = 'outgoing' | 'incoming';

/** What every state carries from one call to the next. */
interface Memory {
  /** Calls that ended on this device, oldest first, at most ENDED_CALLS_KEPT. */
  endedCalls: readonly string[];
}

/** My member entry's audio/video flags as asked of the server (call:media). */
export interface MediaFlags {
  audio: boolean;
  video: boolean;
}

interface InCall extends Memory {
  media: CallMedia;
  direction: Direction;
  startedAt: number;
  local: LocalState;
  links: Readonly<Record<string, LinkState>>;
}
/**
 * The callee's device said over the pre-connected peer path that it accepted
 * (acceptChannel.ts), before the server's word: the dial shows the call and sends
 * to that device. Only a device that rings alone for its user is taken at its word
 * (no other device can win the answer race); the server's update then makes the
 * call active, or its refusal ends the dial as before.
 */
export interface PeerAnswer {
  deviceId: string;
  userId: string;
  displayName: string;
  audio: boolean;
  video: boolean;
  at: number;
}

export type OutgoingState = InCall & {
  phase: 'outgoing';
  /** Tells this dial's acks apart from an earlier, abandoned one. */
  attempt: string;
  callId: string | null;
  peer: PersonRef;
  call: CallSnapshot | null;
  /** See PeerAnswer; absent until then. */
  answeredBy?: PeerAnswer;
};
export type IncomingState = InCall & {
  phase: 'incoming';
  callId: string;
  from: PersonRef;
  call: CallSnapshot;
  accepting: boolean;
};
export type ActiveState = InCall & {
  phase: 'active';
  callId: string;
  call: CallSnapshot;
  connectedAt: number | null;
  activeSpeaker: string | null;
  /** Everyone who was a member at some point: the history's peers. */
  met: PersonRef[];
  /** The signaling server has this device attached to the call (false while it reconnects or rejoins). */
  serverOnline: boolean;
  /** The last other member left while the path to them was down (connectionLoss.ts). */
  droppedWhileDown: boolean;
  /** Flags asked of the server and not yet in a snapshot; compared by identity when a request fails. */
  flagsSent: MediaFlags | null;
};
export interface EndedState extends Memory {
  phase: 'ended';
  callId: string | null;
  media: CallMedia;
  direction: Direction;
  reason: EndReason;
  detail?: string;
  peers: PersonRef[];
  startedAt: number;
  connectedAt: number | null;
  endedAt: number;
  /** It became active (accepted) on this device. */
  answered: boolean;
}
export type IdleState = Memory & { phase: 'idle' };
export type CallState = IdleState | OutgoingState | IncomingState | ActiveState | EndedState;
export type InCallState = OutgoingState | IncomingState | ActiveState;

export type CallEvent =
  | { type: 'dial'; attempt: string; peer: PersonRef; media: CallMedia; at: number }
  | { type: 'dialAcked'; attempt: string; call: CallSnapshot; at: number }
  | { type: 'dialFailed'; attempt: string; reason: EndReason; detail?: string; at: number }
  | { type: 'incoming'; incoming: IncomingCall; at: number }
  | { type: 'accept' }
  /** A ringing device said over the peer path that it accepted (acceptChannel.ts); who it is comes from the plan. */
  | { type: 'peerAccepted'; callId: string; deviceId: string; userId: string; audio: boolean; video: boolean; at: number }
  | { type: 'acceptAcked'; call: CallSnapshot; at: number }
  | { type: 'acceptFailed'; callId: string; reason: EndReason; detail?: string; at: number }
  | { type: 'decline'; at: number }
  | { type: 'cancel'; at: number }
  | { type: 'hangUp'; at: number }
  | { type: 'ringEnded'; callId: string; reason: RingEndReason; at: number }
  | { type: 'callUpdated'; call: CallSnapshot; at: number }
  | { type: 'inviteEnded'; callId: string; userId: string; reason: InviteEndReason; at: number }
  | { type: 'memberLeft'; callId: string; deviceId: string; at: number }
  | { type: 'callEnded'; callId: string; reason: CallEndReason; at: number }
  | { type: 'failed'; detail: string; at: number }
  /** A peer's description failed its DTLS check and nothing else carries the call: it ends here as 'unverified'. */
  | { type: 'unverified'; at: number }
  /** A peer's description failed its DTLS check in a call that goes on: only their link is refused. */
  | { type: 'linkUnverified'; deviceId: string }
  | { type: 'linkPhase'; deviceId: string; connection: PeerConnectionPhase; at: number }
  | { type: 'linkStream'; deviceId: string; stream: MediaStream | null }
  | { type: 'linkClosed'; deviceId: string }
  | { type: 'audioLevels'; levels: Readonly<Record<string, number>> }
  | { type: 'serverLink'; online: boolean }
  | { type: 'localMedia'; local: Partial<LocalState> }
  | { type: 'dismiss' }
  /** A dial given up before the server answered: its call is treated as ended here. */
  | { type: 'callAbandoned'; callId: string }
  /** A call:media request with these flags failed: they may be asked again at the next change. */
  | { type: 'flagsFailed'; callId: string; flags: MediaFlags };

export const IDLE: IdleState = { phase: 'idle', endedCalls: [] };

/** How many ended calls are remembered: enough for any late update in flight. */
export const ENDED_CALLS_KEPT = 16;

export const NO_LOCAL_MEDIA: LocalState = {
  stream: null,
  muted: false,
  cameraOn: false,
  error: null,
  microphone: false,
  acquiring: false,
};

export function isInCall(state: CallState): state is InCallState {
  return state.phase === 'outgoing' || state.phase === 'incoming' || state.phase === 'active';
}

/** Whether `callId` ended on this device (its late updates are not for the call shown now). */
export function hasEnded(state: CallState, callId: string): boolean {
  return state.endedCalls.includes(callId);
}

/** The members other than this device. */
export function remoteMembers(call: CallSnapshot, self: SelfRef): CallMember[] {
  return call.members.filter((m) => m.deviceId !== self.deviceId);
}


/**
 * Whether `deviceId` leaving now leaves this device alone in a call whose path to
 * them was down. When both ends of a broken path give up, the first to give up
 * leaves, and the server ends the call for the other as 'hangup'; for the person
 * at the other end that call was dropped, not hung up, and is said so.
 */
export function leftWhileDown(state: InCallState, self: SelfRef, deviceId: string): boolean {
  if (state.phase !== 'active') return false;
  const others = remoteMembers(state.call, self);
  if (others.length !== 1 || others[0]?.deviceId !== deviceId) return false;
  const connection = state.links[deviceId]?.connection;
  return connection === 'reconnecting' || connection === 'failed';
}

/**
 * Whether `deviceId` is the only device that rings for `userId` in `call`: then no
 * other device can win the answer race, and its accept may be acted on before the
 * server confirms it (acceptChannel.ts). With two or more ringing, the server picks.
 */
export function ringsAlone(call: CallSnapshot, userId: string, deviceId: string): boolean {
  const invitee = call.invitees.find((i) => i.userId === userId);
  return invitee !== undefined && invitee.devices.length === 1 && invitee.devices[0]?.deviceId === deviceId;
}

/** The flags my member entry should show: what my media really sends. */
export function wantedFlags(local: LocalState): MediaFlags {
  return { audio: local.microphone && !local.muted, video: local.cameraOn };
}
