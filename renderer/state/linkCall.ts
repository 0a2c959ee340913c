/**
 * A parley://call/<id> link asks for a call; any web page can open one, so the app
 * asks the user first (issue 10). This module decides what the question says and
 * what may follow; the dialog (LinkCallDialog.tsx) only shows it. Pure.
 */
import type { CallMedia } from '../../signaling-server/protocol';
import { t } from '../i18n';
import type { Contact } from './contacts';

export interface LinkCallQuestion {
  userId: string;
  /** The contact's name, or "Unknown person" (translated) when the id is nobody we know. */
  name: string;
  known: boolean;
  /** What the link asked for; shown, but the first offer is always audio. */
  linkMedia: CallMedia;
  title: string;
  description: string;
}

/** What an id nobody in the contacts is called, in the language now in force. */
export function unknownPerson(): string {
  return t('linkCall.unknownPerson');
}

/** The question, worded in the language now in force (build it when it is shown). */
export function linkCallQuestion(request: { userId: string; media: CallMedia }, contacts: readonly Contact[]): LinkCallQuestion {
  const contact = contacts.find((c) => c.userId === request.userId);
  const name = contact?.displayName ?? unknownPerson();
  const video = request.media === 'video';
  const vars = { name, id: request.userId };
  const description = contact
    ? t(video ? 'linkCall.askKnownVideo' : 'linkCall.askKnown', vars)
    : t(video ? 'linkCall.askUnknownVideo' : 'linkCall.askUnknown', vars);
  return {
    userId: request.userId,
    name,
    known: contact !== undefined,
    linkMedia: request.media,
    title: t('linkCall.title', { name }),
    description,
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
  if (phase === 'other') return t('linkCall.inCall');
  const contact = contacts.find((c) => c.userId === question.userId);
  if (contact?.status === 'offline') return t('linkCall.offline', { name: contact.displayName });
  return null;
}
