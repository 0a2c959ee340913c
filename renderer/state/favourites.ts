/** Favourites: pure edits of the list the host keeps. */
import type { Favourite } from '../../preload/contract';

export function isFavourite(list: readonly Favourite[], userId: string): boolean {
  return list.some((f) => f.userId === userId);
}

/** Adds the person at the end, or removes them if already there. */
export function toggleFavourite(list: readonly Favourite[], person: Favourite): Favourite[] {
  if (isFavourite(list, person.userId)) return list.filter((f) => f.userId !== person.userId);
  return [...list, { userId: person.userId, displayName: person.displayName }];
}

/**
 * Keeps the stored names of favourites in step with the names people use now, so an
 * offline favourite shows the last name seen. Returns the same array when nothing changed.
 */
export function refreshFavouriteNames(
  list: readonly Favourite[],
  online: ReadonlyMap<string, { displayName: string }>,
): readonly Favourite[] {
  let changed = false;
  const next = list.map((f) => {
    const seen = online.get(f.userId);
    if (!seen || seen.displayName === f.displayName) return f;
    changed = true;
    return { ...f, displayName: seen.displayName };
  });
  return changed ? next : list;
}
