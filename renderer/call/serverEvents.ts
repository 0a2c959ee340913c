/**
 * The server → client call events the engine consumes, and one subscription that
 * hands each of them to its handler. The schemas live in
 * signaling-server/protocol.ts; the signaling client parses every event with them
 * once (renderer/signaling/serverEventHub.ts), so what reaches a handler here is
 * already typed, and an event that failed its schema never arrives.
 */
import {
  type CallEndReason,
  type CallSnapshot,
  type IceServersAck,
  type IncomingCall,
  type InviteEndReason,
  type RingEndReason,
  type ServerEventPayload,
  type SignalData,
} from '../../signaling-server/protocol';
import type { ConnectionState, SignalingClient } from '../signaling/client';
import type { ServerEventSource } from '../signaling/serverEventHub';


/** What a session:welcome says about this device's calls. */
export interface WelcomeCalls {
  call: CallSnapshot | null;
  /** The calls ringing on this device. */
  ringing: string[];
  /** How long the server keeps a call for members to come back. */
  rejoinGraceMs: number;
  /** The server's ICE servers, when they carry no credentials (protocol.ts `welcomePayloadSchema`). */
  ice: IceServersAck | null;
}

const CALL_EVENTS = [
  'call:incoming',
  'session:welcome',
  'call:ring-ended',
  'call:updated',
  'call:invite-ended',
  'call:member-left',
  'call:ended',
  'signal',
  'server:shutdown',
] as const;
export type CallServerEvent = (typeof CALL_EVENTS)[number];

/** What the engine needs of the signaling client; SignalingClient fits, tests pass a fake. */
export interface CallSignaling {
  request: SignalingClient['request'];
  /** Server events, already parsed (SignalingClient's `events`, or a fake's ServerEventHub). */
  events: ServerEventSource;
  /** The connection's state (SignalingClient has it): lets the engine hold the call through an outage. */
  onState?(listener: (state: ConnectionState) => void): () => void;
}

export interface CallEventHandlers {
  /** call:incoming, and each call already ringing in a session:welcome. */
  incoming(incoming: IncomingCall): void;
  ringEnded(event: { callId: string; reason: RingEndReason }): void;
  updated(call: CallSnapshot): void;
  inviteEnded(event: { callId: string; userId: string; reason: InviteEndReason }): void;
  memberLeft(event: { callId: string; deviceId: string }): void;
  ended(event: { callId: string; reason: CallEndReason }): void;
  signal(event: { callId: string; from: string; data: SignalData }): void;
  /** Every session:welcome, after its ringing calls went to `incoming`. */
  welcome?(welcome: WelcomeCalls): void;
  /** The server is going away (restart or shutdown). */
  shutdown?(): void;
}

type CallListeners = { [E in CallServerEvent]: (payload: ServerEventPayload<E>) => void };

/** Listens to every call event; returns the function that stops listening. */
export function listenToCallEvents(events: ServerEventSource, on: CallEventHandlers): () => void {
  const listeners: CallListeners = {
    'call:incoming': (incoming) => on.incoming(incoming),
    'session:welcome': (welcome) => {
      for (const ringing of welcome.ringing) on.incoming(ringing);
      on.welcome?.({
        call: welcome.call,
        ringing: welcome.ringing.map((r) => r.callId),
        rejoinGraceMs: welcome.limits.rejoinGraceMs,
        ice: welcome.ice ?? null,
      });
    },
    'call:ring-ended': (event) => on.ringEnded(event),
    'call:updated': (event) => on.updated(event.call),
    'call:invite-ended': (event) => on.inviteEnded(event),
    'call:member-left': (event) => on.memberLeft(event),
    'call:ended': (event) => on.ended(event),
    signal: (event) => on.signal(event),
    'server:shutdown': () => on.shutdown?.(),
  };
  const each = (act: <E extends CallServerEvent>(event: E, listener: CallListeners[E]) => void): void => {
    for (const event of CALL_EVENTS) act(event, listeners[event]);
  };
  each((event, listener) => events.on(event, listener));
  return () => each((event, listener) => events.off(event, listener));
}
