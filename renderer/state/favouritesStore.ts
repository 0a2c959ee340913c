/** Favourites, changed here first and then kept by the host. */
import type { Favourite, ParleyBridge } from '../../preload/contract';
import { refreshFavouriteNames, toggleFavourite } from './favourites';
import { createStore, type ReadableStore } from './store';
import { t } from '../i18n';

export interface FavouritesStore extends ReadableStore<readonly Favourite[]> {
  toggle(person: Favourite): Promise<void>;
  /** Remember the names favourites use now, so they show when offline. */
  refreshNames(online: ReadonlyMap<string, { displayName: string }>): void;
}

export function createFavouritesStore(
  bridge: ParleyBridge,
  initial: readonly Favourite[],
  onError: (message: string) => void,
): FavouritesStore {
  const store = createStore<readonly Favourite[]>(initial);
  const save = async (previous: readonly Favourite[], next: readonly Favourite[]): Promise<void> => {
    store.set(next);
    try {
      await bridge.setFavourites([...next]);
    } catch (error) {
      store.set(previous);
      onError(t('notices.favouritesFailed', { reason: error instanceof Error ? error.message : String(error) }));
    }
  };
  return {
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    toggle: (person) => {
      const previous = store.getSnapshot();
      return save(previous, toggleFavourite(previous, person));
    },
    refreshNames(online) {
      const previous = store.getSnapshot();
      const next = refreshFavouriteNames(previous, online);
      if (next !== previous) void save(previous, next);
    },
  };
}
