/**
 * The optional directory (`--directory on`): find people on this server by
 * display name, for teams who want that. Off by default: then nobody can list
 * anyone they have not added. Searches the users online now (the server keeps no
 * record of anyone else), by prefix or substring, ignoring case and diacritics.
 */
import { LIMITS, type UserId } from './protocol';
import type { PresenceUser } from './protocol';

/** "Zoë Ångström" → "zoe angstrom": what names are compared as. */
export function foldName(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

export interface DirectoryEntry {
  userId: UserId;
  displayName: string;
  online: boolean;
}

/**
 * At most LIMITS.directoryResultsMax users other than `self` whose name contains
 * the query, those whose name (or a word of it) starts with it first.
 */
export function searchDirectory(users: Iterable<PresenceUser>, query: string, self: UserId): DirectoryEntry[] {
  const needle = foldName(query);
  if (needle === '') return [];
  const starts: DirectoryEntry[] = [];
  const contains: DirectoryEntry[] = [];
  for (const user of users) {
    if (user.userId === self) continue;
    const name = foldName(user.displayName);
    const at = name.indexOf(needle);
    if (at < 0) continue;
    const entry = { userId: user.userId, displayName: user.displayName, online: true };
    if (at === 0 || /\s/.test(name[at - 1] ?? '')) starts.push(entry);
    else if (contains.length < LIMITS.directoryResultsMax) contains.push(entry);
    if (starts.length >= LIMITS.directoryResultsMax) break;
  }
  return [...starts, ...contains].slice(0, LIMITS.directoryResultsMax);
}
