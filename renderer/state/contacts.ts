/**
 * The contact list: everyone online plus favourites who are offline, sorted and
 * filtered. Pure functions over presence and favourites.
 */
import type { Favourite } from '../../preload/contract';
import type { PresenceStatus } from '../../signaling-server/protocol';
import type { PresenceState } from './presence';

export type ContactStatus = PresenceStatus | 'offline';

export interface Contact {
  userId: string;
  displayName: string;
  status: ContactStatus;
  favourite: boolean;
}

/** Order among people: who can take a call now comes first. */
const STATUS_RANK: Record<ContactStatus, number> = {
  available: 0,
  in_call: 1,
  away: 2,
  dnd: 3,
  offline: 4,
};

export const STATUS_LABEL: Record<ContactStatus, string> = {
  available: 'Available',
  in_call: 'In a call',
  away: 'Away',
  dnd: 'Do not disturb',
  offline: 'Offline',
};

export function buildContacts(presence: PresenceState, favourites: readonly Favourite[]): Contact[] {
  const favouriteIds = new Set(favourites.map((f) => f.userId));
  const selfId = presence.self?.userId ?? null;
  const contacts: Contact[] = [];
  for (const user of presence.users.values()) {
    if (user.userId === selfId) continue;
    contacts.push({
      userId: user.userId,
      displayName: user.displayName,
      status: user.status,
      favourite: favouriteIds.has(user.userId),
    });
  }
  for (const favourite of favourites) {
    if (favourite.userId === selfId || presence.users.has(favourite.userId)) continue;
    contacts.push({ ...favourite, status: 'offline', favourite: true });
  }
  return sortContacts(contacts);
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** Favourites first; then by status (available, in a call, away, do not disturb, offline); then name. */
export function compareContacts(a: Contact, b: Contact): number {
  if (a.favourite !== b.favourite) return a.favourite ? -1 : 1;
  const byStatus = STATUS_RANK[a.status] - STATUS_RANK[b.status];
  if (byStatus !== 0) return byStatus;
  return collator.compare(a.displayName, b.displayName) || a.userId.localeCompare(b.userId);
}

export function sortContacts(contacts: readonly Contact[]): Contact[] {
  return [...contacts].sort(compareContacts);
}

/** Case- and accent-insensitive, so "zoe" finds "Zoë". */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase().trim();
}

/** Contacts whose name contains every word of the query, in any order. */
export function filterContacts(contacts: readonly Contact[], query: string): Contact[] {
  const words = foldForSearch(query).split(/\s+/u).filter(Boolean);
  if (words.length === 0) return [...contacts];
  return contacts.filter((contact) => {
    const name = foldForSearch(contact.displayName);
    return words.every((word) => name.includes(word));
  });
}

export function isReachable(status: ContactStatus): boolean {
  return status !== 'offline';
}

/** Contacts that may be added to a running call. */
export function invitableContacts(
  contacts: readonly Contact[],
  inCall: ReadonlySet<string>,
): Contact[] {
  return contacts.filter((c) => c.status === 'available' && !inCall.has(c.userId));
}
