/**
 * Who is on the server, as a pure reducer over the signaling events that carry
 * presence: `session:welcome` replaces everything, `presence:*` edit one user.
 *
 * The events arrive parsed (the signaling client checks every server event
 * against protocol.ts's schemas and drops the ones that fail), so the reducer
 * trusts them.
 */
import type { PresenceStatus, PresenceUser } from '../../signaling-server/protocol';

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
    case 'updated': {
      const user = userOf(event.user);
      if (user.userId === state.self?.userId) return { ...state, self: user };
      const current = state.users.get(user.userId);
      if (
        current &&
        current.displayName === user.displayName &&
        current.status === user.status
      ) {
        return state;
      }
      const users = new Map(state.users);
      users.set(user.userId, user);
      return { ...state, users };
    }
    case 'left': {
      const { userId } = event;
      if (!state.users.has(userId)) return state;
      const users = new Map(state.users);
      users.delete(userId);
      return { ...state, users };
    }
    case 'reset':
      return state.self === null && state.users.size === 0 ? state : EMPTY_PRESENCE;
  }
}

export function statusOf(state: PresenceState, userId: string): PresenceStatus | 'offline' {
  return state.users.get(userId)?.status ?? 'offline';
}
