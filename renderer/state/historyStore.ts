/** Call history, shown from memory and kept by the host. */
import type { HistoryEntry, ParleyBridge } from '../../preload/contract';
import { addToHistory } from './history';
import { createStore, type ReadableStore } from './store';
import { t } from '../i18n';

export interface HistoryStore extends ReadableStore<readonly HistoryEntry[]> {
  add(entry: HistoryEntry): Promise<void>;
  clear(): Promise<void>;
}

export function createHistoryStore(
  bridge: ParleyBridge,
  initial: readonly HistoryEntry[],
  onError: (message: string) => void,
): HistoryStore {
  const store = createStore<readonly HistoryEntry[]>(initial);
  const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  return {
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    async add(entry) {
      store.update((list) => addToHistory(list, entry));
      try {
        await bridge.addHistoryEntry(entry);
      } catch (error) {
        onError(t('notices.historySaveFailed', { reason: reason(error) }));
      }
    },
    async clear() {
      const previous = store.getSnapshot();
      store.set([]);
      try {
        await bridge.clearHistory();
      } catch (error) {
        store.set(previous);
        onError(t('notices.historyClearFailed', { reason: reason(error) }));
      }
    },
  };
}
