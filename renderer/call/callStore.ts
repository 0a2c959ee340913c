/**
 * The call store: the state, the pure reducer applied to it, and the view handed to
 * subscribers. Events raised while one is being applied (the engine reacts to a
 * change by closing a session, which reports its link closed) are queued, so every
 * event meets a settled state and every reaction sees its predecessor's result.
 */
import { log } from '../log';
import { IDLE, reduceCall, type CallEvent, type CallState, type SelfRef } from './callState';
import { sameView, toCallView } from './callView';
import type { CallView, Unsubscribe } from './types';

export interface CallStore {
  /** The state now (read it again after every await or dispatch). */
  state(): CallState;
  view(): CallView;
  subscribe(listener: (view: CallView) => void): Unsubscribe;
  dispatch(event: CallEvent): void;
  /** Back to idle, silently, and no more events or listeners (dispose). */
  close(): void;
}

export function createCallStore(self: SelfRef, afterChange: (prev: CallState, next: CallState) => void): CallStore {
  let state: CallState = IDLE;
  let view: CallView = toCallView(state, self);
  const listeners = new Set<(view: CallView) => void>();
  const queue: CallEvent[] = [];
  let draining = false;
  let closed = false;

  const notify = (): void => {
    const next = toCallView(state, self);
    // Same content, same object: subscribers are not woken by every speaker poll.
    if (sameView(view, next)) return;
    view = next;
    for (const listener of [...listeners]) {
      try {
        listener(view);
      } catch (error) {
        // A broken subscriber must not break the call; report it on its own.
        log.child('call').error('a subscriber to the call view threw', error);
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };

  return {
    state: () => state,
    view: () => view,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispatch(event) {
      if (closed) return;
      queue.push(event);
      if (draining) return;
      draining = true;
      let changed = false;
      try {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const prev = state;
          state = reduceCall(prev, next, self);
          if (state !== prev) {
            changed = true;
            afterChange(prev, state);
          }
        }
      } finally {
        draining = false;
      }
      if (changed) notify();
    },
    close() {
      closed = true;
      queue.length = 0;
      listeners.clear();
      state = IDLE;
      view = toCallView(state, self);
    },
  };
}
