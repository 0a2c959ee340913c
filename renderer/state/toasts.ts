/** Short messages in a corner: host notices and errors the person should see. */
import type { HostNotice } from '../../preload/contract';
import { log } from '../log';
import { createStore, type ReadableStore } from './store';

export interface Toast extends HostNotice {
  id: number;
}

export interface ToastStore extends ReadableStore<readonly Toast[]> {
  push(notice: HostNotice): number;
  dismiss(id: number): void;
  dispose(): void;
}

/** Errors stay longer: they usually ask for something to be done. */
const LIFETIME_MS: Record<HostNotice['level'], number> = { info: 5_000, warning: 8_000, error: 12_000 };
const MAX_TOASTS = 4;

export function createToastStore(timers: Pick<typeof globalThis, 'setTimeout' | 'clearTimeout'> = globalThis): ToastStore {
  const store = createStore<readonly Toast[]>([]);
  const pending = new Map<number, ReturnType<typeof setTimeout>>();
  let nextId = 1;

  const dismiss = (id: number): void => {
    const timer = pending.get(id);
    if (timer !== undefined) timers.clearTimeout(timer);
    pending.delete(id);
    store.update((list) => (list.some((t) => t.id === id) ? list.filter((t) => t.id !== id) : list));
  };

  return {
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    push(notice) {
      const current = store.getSnapshot();
      // The same message twice in a row is one toast (a flapping connection, a repeated click).
      const twin = current.find((t) => t.message === notice.message && t.level === notice.level);
      if (twin) return twin.id;
      // What the person was told goes to the log too: a report of "it said X" can be found there.
      if (notice.level !== 'info') log.child('ui.toast')[notice.level === 'error' ? 'error' : 'warn'](notice.message);
      const id = nextId++;
      store.set([...current, { ...notice, id }].slice(-MAX_TOASTS));
      pending.set(id, timers.setTimeout(() => dismiss(id), LIFETIME_MS[notice.level]));
      return id;
    },
    dismiss,
    dispose() {
      for (const timer of pending.values()) timers.clearTimeout(timer);
      pending.clear();
    },
  };
}
