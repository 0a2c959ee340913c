/**
 * How the in-call features follow the peer sessions without the pool knowing them:
 * the pool calls `opened` once a session's connection exists — before any signal
 * is applied to it, so what the hook adds (data channels) goes into the first offer
 * — then `planChanged` on every plan sync and `closed` before the session closes.
 */
import type { PeerConnectionLike } from './peerConnection';
import type { PeerSession } from './peerSession';
import type { PlannedSession } from './sessionPlan';

export interface SessionHook {
  planChanged(plan: PlannedSession): void;
  closed(): void;
}

export interface SessionHooks<PC extends PeerConnectionLike = PeerConnectionLike> {
  opened(session: PeerSession<PC>, plan: PlannedSession): SessionHook | null;
}
