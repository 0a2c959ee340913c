/**
 * A parley://call/<id> link asks for a call; any web page can open one, so the app
 * asks the user first (issue 10). This module decides what the question says and
 * what may follow; the dialog (LinkCallDialog.tsx) only shows it. Pure.
 */
import type { CallMedia } from '../../signaling-server/protocol';
import type { Contact } from './contacts';

export interface LinkCallQuestion {
  userId: string;
  /** The contact's name, or "Unknown person" when the id is nobody we know. */
  name: string;
  known: boolean;
  /** What the link asked for; shown, but the first offer is always audio. */
  linkMedia: CallMedia;
  title: string;
  description: string;
}

export const UNKNOWN_PERSON = 'Unknown person';

export function linkCallQuestion(request: { userId: string; media: CallMedia }, contacts: readonly Contact[]): LinkCallQuestion {
  const contact = contacts.find((c) => c.userId === request.userId);
  const name = contact?.displayName ?? UNKNOWN_PERSON;
  const asked = request.media === 'video' ? ' The link asks for a video call; audio is offered first.' : '';
  const who = contact ? `${name} (id ${request.userId})` : `someone who is not in your contacts (id ${request.userId})`;
  return {
    userId: request.userId,
    name,
    known: contact !== undefined,
    linkMedia: request.media,
    title: `Call ${name}?`,
    description: `A link opened in another app or web page wants to call ${who}. Nothing is dialled until you choose.${asked}`,
  };
}

/**
 * Why the confirmed call cannot start now (the world may have changed while the
 * question was open), or null when it may: a known contact who went offline, or a
 * call already under way.
 */
export function linkCallObstacle(
  question: LinkCallQuestion,
  contacts: readonly Contact[],
  phase: 'idle' | 'ended' | 'other',
): string | null {
  if (phase === 'other') return 'Finish the current call before starting another one.';
  const contact = contacts.find((c) => c.userId === question.userId);
  if (contact?.status === 'offline') return `${contact.displayName} is not online, so the call cannot ring.`;
  return null;
}
