/**
 * The contact book and its requests, as the window uses them: the book is opened
 * for the current user (a linked device switches to that user's book), and the
 * requests are wired to each session's signaling client.
 */
import { useEffect, useState } from 'react';
import type { HostNotice } from '../../../preload/contract';
import type { StrangerCalls } from '../../../signaling-server/protocol';
import { EMPTY_BOOK, loadContactBook, type ContactBook, type ContactBookState } from '../../contacts/contactBook';
import { openContactsDb } from '../../contacts/contactsDb';
import { wireContactRequests, type ContactRequests } from '../../contacts/contactRequests';
import { log } from '../../log';
import type { Session } from '../../session';
import { createStore, type ReadableStore } from '../../state/store';
import { t } from '../../i18n';

const logger = log.child('ui.contacts');
export const NO_BOOK: ReadableStore<ContactBookState> = createStore(EMPTY_BOOK);

/** The book of `userId`, or null while it opens (or when IndexedDB is not available: said once). */
export function useContactBook(userId: string, notify: (notice: HostNotice) => void): ContactBook | null {
  const [book, setBook] = useState<ContactBook | null>(null);
  useEffect(() => {
    let cancelled = false;
    let opened: ContactBook | null = null;
    const onError = (message: string): void => notify({ level: 'error', message });
    openContactsDb(userId)
      .then((persistence) => loadContactBook({ persistence, onError }))
      .then(
        (loaded) => {
          if (cancelled) {
            loaded.close();
            return;
          }
          opened = loaded;
          setBook(loaded);
        },
        (error: unknown) => {
          logger.error('could not open the contact book', error);
          if (!cancelled) onError(t('notices.contactsFailed', { reason: error instanceof Error ? error.message : String(error) }));
        },
      );
    return () => {
      cancelled = true;
      opened?.close();
      setBook(null);
    };
  }, [userId, notify]);
  return book;
}

export interface ContactRequestsInput {
  session: Session | null;
  book: ContactBook | null;
  selfUserId: string;
  strangerCalls: StrangerCalls;
  blockedUserIds: readonly string[];
  notify(notice: HostNotice): void;
  block(person: { userId: string; displayName: string }): Promise<void>;
}

/** The requests of the current session and book; null while either is missing. */
export function useContactRequests(input: ContactRequestsInput): ContactRequests | null {
  const { session, book, selfUserId } = input;
  const [requests, setRequests] = useState<ContactRequests | null>(null);
  const [latest] = useState(() => ({ current: input }));
  latest.current = input;

  useEffect(() => {
    if (!session || !book) return;
    const wired = wireContactRequests({
      client: session.client,
      book,
      selfUserId,
      strangerCalls: () => latest.current.strangerCalls,
      isBlocked: (userId) => latest.current.blockedUserIds.includes(userId),
      notify: (notice) => latest.current.notify(notice),
      block: (person) => latest.current.block(person),
    });
    setRequests(wired);
    return () => {
      wired.dispose();
      setRequests(null);
    };
  }, [session, book, selfUserId, latest]);

  // The setting changed: the server hears at once (a no-op while offline; the next welcome sends it).
  useEffect(() => void requests?.sync(), [requests, input.strangerCalls]);
  return requests;
}
