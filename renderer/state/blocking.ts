/**
 * The block list (Settings → Blocked): pure changes to the list of user ids, and
 * the names to show for it. The host keeps the list; the session sends it to the
 * server; the call engine declines a blocked caller whose invite still arrives.
 */
import type { Favourite, HistoryEntry } from '../../preload/contract';
import { t } from '../i18n';

/** The contract's cap (and the server's LIMITS.maxBlockedUsers). */
export const MAX_BLOCKED = 1_000;

export function blockUser(list: readonly string[], userId: string): string[] {
  if (list.includes(userId)) return [...list];
  if (list.length >= MAX_BLOCKED) {
    throw new Error(t('notices.blockLimit', { max: MAX_BLOCKED }));
  }
  return [...list, userId];
}

export function unblockUser(list: readonly string[], userId: string): string[] {
  return list.filter((id) => id !== userId);
}

export interface BlockedPerson {
  userId: string;
  /** The name they go by now or went by in a contact or a call; null when never seen. */
  displayName: string | null;
}

/**
 * The block list with the best name known for each id: online now, a favourite,
 * then the latest call with them. Blocked people usually vanish from the contact
 * list's memory, so without history an id is all there is.
 */
export function blockedPeople(
  list: readonly string[],
  known: { online: ReadonlyMap<string, { displayName: string }>; favourites: readonly Favourite[]; history: readonly HistoryEntry[] },
): BlockedPerson[] {
  return list.map((userId) => {
    const name =
      known.online.get(userId)?.displayName ??
      known.favourites.find((f) => f.userId === userId)?.displayName ??
      known.history.flatMap((e) => e.peers).find((p) => p.userId === userId)?.displayName ??
      null;
    return { userId, displayName: name };
  });
}
