/**
 * What the call engine shows the UI, and what the UI may ask of it.
 *
 * The engine (callEngine.ts) owns the call store, the peer sessions and local media;
 * the UI only reads `CallView` and calls `CallController` methods. Nothing here
 * touches the DOM.
 */
import type { CallEndReason, CallMedia } from '../../signaling-server/protocol';

export interface PersonRef {
  userId: string;
  displayName: string;
}

/** Why a call ended, as the person is told. Server reasons plus local ones. */
export type EndReason =
  | CallEndReason
  | 'local_hangup' // I hung up
  | 'local_decline' // I declined a call ringing here (the caller is told `declined`)
  | 'busy' // the callee is in another call
  | 'do_not_disturb'
  | 'user_offline'
  | 'refused' // the callee does not take calls from me (server: call_refused)
  | 'rate_limited' // I called too often; the server's message says when to try again
  | 'answered_elsewhere' // another of my devices took it
  | 'declined_elsewhere'
  | 'missed' // it rang here and nobody answered
  | 'failed' // a connection or media failure we could not recover from
  | 'unverified'; // a peer's SDP failed its DTLS check: someone may be intercepting the call

export type PeerConnectionPhase = 'new' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface RemoteParticipant extends PersonRef {
  deviceId: string;
  /** Their microphone is on (false: muted). */
  audio: boolean;
  /** Their camera is on. */
  video: boolean;
  connection: PeerConnectionPhase;
  /** Remote audio+video; null until tracks arrive. */
  stream: MediaStream | null;
  /** A screen they share, as its own stream (in-call features). */
  screen: MediaStream | null;
  speaking: boolean;
  /** Their connection failed its check (someone may be intercepting it) and was refused; the others go on. */
  unverified?: true;
}

export interface LocalMediaView {
  stream: MediaStream | null;
  muted: boolean;
  cameraOn: boolean;
  /** A person-readable media problem ("No camera found — the call continues audio-only"). */
  error: string | null;
  /** The screen I share (in-call features fill it in during a call; absent or null: not sharing). */
  screen?: MediaStream | null;
}

/** A running call (accepted). */
export interface ActiveView {
  phase: 'active';
  callId: string;
  media: CallMedia;
  /** ms since epoch when media first connected; null while connecting. */
  connectedAt: number | null;
  participants: RemoteParticipant[];
  /** People being added who have not answered yet. */
  invitees: PersonRef[];
  local: LocalMediaView;
  maxParticipants: number;
  /** The deviceId of the loudest remote participant, if anyone speaks. */
  activeSpeaker: string | null;
  /** The server connection is down or the call is being rejoined; media keeps flowing meanwhile. */
  reconnectingToServer: boolean;
  /** 'sfu': media goes through the server's media server (issue 17); absent: a peer-to-peer mesh. */
  topology?: 'sfu';
}

export type CallView =
  | { phase: 'idle' }
  /** I called; it rings at the far end (callId null until the server answered). */
  | {
      phase: 'outgoing';
      callId: string | null;
      media: CallMedia;
      peer: PersonRef;
      /** My camera/microphone while it rings (a self-preview); absent before media is asked for. */
      local?: LocalMediaView;
      /**
       * The call as it will show when the one device ringing for them answers, with
       * the pre-connected stream: the UI builds that screen, hidden, while it rings,
       * so an answer only reveals it. Absent while that device is not known.
       */
      prepared?: ActiveView;
    }
  /** It rings here. `others` are the people already in the call (group invite). */
  | {
      phase: 'incoming';
      callId: string;
      media: CallMedia;
      from: PersonRef;
      others: PersonRef[];
      /** Media is acquired while it rings so that answering is instant (nothing is sent before accept). */
      local?: LocalMediaView;
      /** The call as it will show once accepted here (see the outgoing view's `prepared`). */
      prepared?: ActiveView;
    }
  | ActiveView
  | {
      phase: 'ended';
      callId: string | null;
      media: CallMedia;
      reason: EndReason;
      peers: PersonRef[];
      durationMs: number;
      /** More words for `failed` (what went wrong, what to do), when known. */
      detail?: string;
    };

export type Unsubscribe = () => void;

export interface CallController {
  getView(): CallView;
  /** Listeners run after every change of the view. */
  subscribe(listener: (view: CallView) => void): Unsubscribe;

  /** `meeting`: the call goes through the server's media server from the start (only when the welcome says it has one). */
  call(peer: PersonRef, media: CallMedia, options?: { meeting?: boolean }): Promise<void>;
  accept(options: { video: boolean }): Promise<void>;
  decline(): Promise<void>;
  /** Stop ringing an outgoing call. */
  cancel(): Promise<void>;
  hangUp(): Promise<void>;
  /** Add someone to the running call. */
  /** `meeting`: a mesh call moves to the server's media server with this invite. */
  invite(peer: PersonRef, options?: { meeting?: boolean }): Promise<void>;
  setMuted(muted: boolean): void;
  setCameraOn(on: boolean): Promise<void>;
  /** The network may have changed (resume from sleep, unlock): restart ICE on every connection that is not up. */
  checkConnections(): void;
  /** Leave the `ended` view. */
  dismiss(): void;
  dispose(): void;
}
