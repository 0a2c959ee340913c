/** The settings in force, kept by the host behind the bridge. */
import type { ParleyBridge, Settings, SettingsPatch } from '../../preload/contract';
import { createStore, type ReadableStore } from './store';

export interface SettingsStore extends ReadableStore<Settings> {
  /** Stores the patch through the host; resolves with what the host now holds. */
  update(patch: SettingsPatch): Promise<Settings>;
}

export function createSettingsStore(bridge: ParleyBridge, initial: Settings): SettingsStore {
  const store = createStore(initial);
  return {
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    async update(patch) {
      const next = await bridge.updateSettings(patch);
      store.set(next);
      return next;
    },
  };
}
