/**
 * The contact list: the people I added (contact book), online or offline, plus
 * anyone else presence shows and favourites who are offline, sorted and
 * filtered. Pure functions over presence, favourites and the book.
 */
import type { Favourite } from '../../preload/contract';
import type { PresenceStatus } from '../../signaling-server/protocol';
import type { ContactBookState } from '../contacts/contactBook';
import { t } from '../i18n';
import type { PresenceState } from './presence';

export type ContactStatus = PresenceStatus | 'offline';

export interface Contact {
  userId: string;
  displayName: string;
  status: ContactStatus;
  favourite: boolean;
  /** In my contact book (I added them and they accepted, or the other way round). */
  inBook: boolean;
  /** I compared safety numbers with them and marked them verified. */
  verified: boolean;
  /** They presented another key than the pinned one: calling is blocked until I accept it. */
  keyChanged: boolean;
}

const NOT_IN_BOOK = { inBook: false, verified: false, keyChanged: false } as const;

/** Order among people: who can take a call now comes first. */
const STATUS_RANK: Record<ContactStatus, number> = {
  available: 0,
  in_call: 1,
  away: 2,
  dnd: 3,
  offline: 4,
};

/** What a status is called in the language now in force (contact rows, the avatar dot's title). Call at render time. */
export function statusLabel(status: ContactStatus): string {
  return t(`contactStatus.${status}`);
}

export function buildContacts(presence: PresenceState, favourites: readonly Favourite[], book: ContactBookState | null = null): Contact[] {
  const favouriteIds = new Set(favourites.map((f) => f.userId));
  const selfId = presence.self?.userId ?? null;
  const contacts: Contact[] = [];
  const listed = new Set<string>();
  for (const contact of book?.contacts.values() ?? []) {
    if (contact.userId === selfId) continue;
    const online = presence.users.get(contact.userId);
    listed.add(contact.userId);
    contacts.push({
      userId: contact.userId,
      // The name they go by now, when presence shows them; the one they had when added otherwise.
      displayName: online?.displayName ?? contact.displayName,
      status: online?.status ?? 'offline',
      favourite: favouriteIds.has(contact.userId),
      inBook: true,
      verified: contact.verified,
      keyChanged: book?.keyChanges.has(contact.userId) ?? false,
    });
  }
  for (const user of presence.users.values()) {
    if (user.userId === selfId || listed.has(user.userId)) continue;
    listed.add(user.userId);
    contacts.push({
      userId: user.userId,
      displayName: user.displayName,
      status: user.status,
      favourite: favouriteIds.has(user.userId),
      ...NOT_IN_BOOK,
    });
  }
  for (const favourite of favourites) {
    if (favourite.userId === selfId || listed.has(favourite.userId)) continue;
    contacts.push({ ...favourite, status: 'offline', favourite: true, ...NOT_IN_BOOK });
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

/**
 * How a call from `userId` is shown: null when they are a contact (rings as
 * usual); otherwise the Settings choice for people not in my contacts ('ask': a
 * quiet request, no ringtone; 'ring': rings, and says so). A contact whose key
 * changed counts as not a contact until the new key is accepted.
 */
export function strangerCallStyle(
  userId: string,
  contacts: readonly Contact[],
  strangerCalls: 'ring' | 'ask' | 'refuse',
): 'ask' | 'ring' | null {
  if (contacts.some((c) => c.userId === userId && c.inBook && !c.keyChanged)) return null;
  // 'refuse' never rings here (the server refuses the caller); should one arrive, ask.
  return strangerCalls === 'ring' ? 'ring' : 'ask';
}
