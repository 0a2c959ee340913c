/**
 * Who is on the server, as a pure reducer over the signaling events that carry
 * presence: `session:welcome` replaces everything, `presence:*` edit one user.
 *
 * The server is the authority, but its events still arrive from the wire, so each
 * user is parsed here; a malformed entry is dropped rather than shown.
 */
import { z } from 'zod';
import { userIdSchema, type PresenceStatus, type PresenceUser } from '../../signaling-server/protocol';

export const presenceUserSchema = z.object({
  userId: userIdSchema,
  displayName: z.string().min(1).max(80),
  status: z.enum(['available', 'dnd', 'away', 'in_call']),
});

export interface PresenceState {
  /** This user, as the server sees it; null before the first welcome. */
  self: PresenceUser | null;
  /** Everyone else online, by userId. */
  users: ReadonlyMap<string, PresenceUser>;
}

export type PresenceEvent =
  | { type: 'welcome'; self: unknown; users: unknown }
  | { type: 'joined'; user: unknown }
  | { type: 'updated'; user: unknown }
  | { type: 'left'; userId: unknown }
  /** The server refused us or we closed: nobody is known to be online. */
  | { type: 'reset' };

export const EMPTY_PRESENCE: PresenceState = { self: null, users: new Map() };

function parseUser(raw: unknown): PresenceUser | null {
  const parsed = presenceUserSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export function presenceReducer(state: PresenceState, event: PresenceEvent): PresenceState {
  switch (event.type) {
    case 'welcome': {
      const self = parseUser(event.self);
      const users = new Map<string, PresenceUser>();
      for (const raw of Array.isArray(event.users) ? event.users : []) {
        const user = parseUser(raw);
        if (user && user.userId !== self?.userId) users.set(user.userId, user);
      }
      return { self, users };
    }
    case 'joined':
    case 'updated': {
      const user = parseUser(event.user);
      if (!user) return state;
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
      const userId = typeof event.userId === 'string' ? event.userId : null;
      if (userId === null || !state.users.has(userId)) return state;
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
