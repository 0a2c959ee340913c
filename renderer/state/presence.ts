/**
 * Who is on the server, as a pure reducer over the signaling events that carry
 * presence: `session:welcome` replaces everything, `presence:joined`, `updated` and
 * `left` edit one user, `presence:batch` several at once (one new state, one render).
 *
 * The events arrive parsed (the signaling client checks every server event
 * against protocol.ts's schemas and drops the ones that fail), so the reducer
 * trusts them.
 */
import type { PresenceBatchPayload, PresenceStatus, PresenceUser } from '../../signaling-server/protocol';

export interface PresenceState {
  /** This user, as the server sees it; null before the first welcome. */
  self: PresenceUser | null;
  /** Everyone else online, by userId. */
  users: ReadonlyMap<string, PresenceUser>;
}

export type PresenceEvent =
  | { type: 'welcome'; self: PresenceUser; users: readonly PresenceUser[] }
  | { type: 'joined'; user: PresenceUser }
  | { type: 'updated'; user: PresenceUser }
  | { type: 'left'; userId: string }
  | { type: 'batch'; batch: PresenceBatchPayload }
  /** The server refused us or we closed: nobody is known to be online. */
  | { type: 'reset' };

export const EMPTY_PRESENCE: PresenceState = { self: null, users: new Map() };

/** Only what the list shows: the welcome's `self` also carries this device's id. */
const userOf = ({ userId, displayName, status }: PresenceUser): PresenceUser => ({ userId, displayName, status });

export function presenceReducer(state: PresenceState, event: PresenceEvent): PresenceState {
  switch (event.type) {
    case 'welcome': {
      const self = userOf(event.self);
      const users = new Map<string, PresenceUser>();
      for (const user of event.users) {
        if (user.userId !== self.userId) users.set(user.userId, userOf(user));
      }
      return { self, users };
    }
    case 'joined':
    case 'updated':
      return applyNews(state, [event.user], []);
    case 'left':
      return applyNews(state, [], [event.userId]);
    case 'batch':
      return applyNews(state, event.batch.users, event.batch.left);
    case 'reset':
      return state.self === null && state.users.size === 0 ? state : EMPTY_PRESENCE;
  }
}

/** Users online as they are now, and users gone: the same state when nothing changes. */
function applyNews(state: PresenceState, online: readonly PresenceUser[], left: readonly string[]): PresenceState {
  let self = state.self;
  let users: Map<string, PresenceUser> | null = null;
  const edit = (): Map<string, PresenceUser> => (users ??= new Map(state.users));
  for (const each of online) {
    const user = userOf(each);
    if (user.userId === self?.userId) {
      self = user;
      continue;
    }
    const current = (users ?? state.users).get(user.userId);
    if (current && current.displayName === user.displayName && current.status === user.status) continue;
    edit().set(user.userId, user);
  }
  for (const userId of left) {
    if ((users ?? state.users).has(userId)) edit().delete(userId);
  }
  if (users === null && self === state.self) return state;
  return { self, users: users ?? state.users };
}

export function statusOf(state: PresenceState, userId: string): PresenceStatus | 'offline' {
  return state.users.get(userId)?.status ?? 'offline';
}
