/**
 * Contact requests over the signaling connection, and the contact list the
 * server knows (issue 12): the book (contactBook.ts) says who my contacts are;
 * this keeps the server told and answers what arrives.
 *
 * - After every welcome it sends `contacts:set` (the list and the stranger-call
 *   setting) unless the handshake of that connection already gave the server this
 *   very list and setting (the usual case: one request and its ack fewer per
 *   connection, 10,000 fewer when a server restarts under 10,000 devices), and sends
 *   every unanswered request of mine again; it sends `contacts:set` again whenever
 *   the list or the setting changes.
 * - `contact:requested` with a valid secret of mine (one use, a week) is accepted
 *   without asking; without one it waits in the book for the user to answer
 *   (Accept / Decline / Block), marked when the name reads like an existing
 *   contact's. A request from someone I asked too is accepted (we both want it).
 * - `contact:answered`: accepted → added, their key pinned; declined → said plainly.
 * - A request or answer whose key is not the one pinned for that contact is a key
 *   change (the book blocks calls until the user accepts it).
 *
 * Every key the server hands over is checked: idOfKey(userKey) must be the userId.
 */
import type { HostNotice as Notice } from '../../preload/contract';
import { idOfKey } from '../../signaling-server/identity';
import type { StrangerCalls } from '../../signaling-server/protocol';
import { log } from '../log';
import { RequestError, type SignalingClient } from '../signaling/client';
import type { ContactBook } from './contactBook';
import type { InviteRef } from './invites';
import type { KeyedPerson } from './types';
import { t } from '../i18n';
import { serverErrorText } from '../state/serverErrorText';

export type ContactsSignaling = Pick<SignalingClient, 'request' | 'events' | 'onState' | 'getState'>;

export interface ContactRequestsOptions {
  client: ContactsSignaling;
  book: ContactBook;
  /** This user: their own invite is not a contact to add. */
  selfUserId: string;
  strangerCalls(): StrangerCalls;
  /** People on my block list: their requests are dropped. */
  isBlocked(userId: string): boolean;
  /** Something the person should read (a toast). */
  notify(notice: Notice): void;
  /** Put someone on the block list (Settings → Blocked). */
  block(person: { userId: string; displayName: string }): Promise<void>;
}

export type DirectoryResult =
  | { offered: true; users: { userId: string; displayName: string; online: boolean }[] }
  | { offered: false };

export interface ContactRequests {
  /** Ask `invite.userId` to become a contact (with their invite secret, or null when found another way). */
  request(invite: InviteRef | { userId: string; secret: null }): Promise<'sent' | 'pending' | 'already'>;
  accept(userId: string): Promise<void>;
  decline(userId: string): Promise<void>;
  declineAndBlock(userId: string): Promise<void>;
  /** Forget an unanswered request of mine. */
  cancel(userId: string): Promise<void>;
  /** Re-pins a contact's changed key (they are unverified until compared again). */
  acceptNewKey(userId: string): Promise<void>;
  /** Remove a contact: they no longer see my presence, nor I theirs. */
  removeContact(userId: string): Promise<void>;
  /** Sends the list and the stranger-call setting now (after a settings change). */
  sync(): Promise<void>;
  searchDirectory(query: string): Promise<DirectoryResult>;
  dispose(): void;
}


export function wireContactRequests(options: ContactRequestsOptions): ContactRequests {
  const { client, book, notify } = options;
  const logger = log.child('contacts.requests');
  const online = (): boolean => client.getState().phase === 'online';

  /** The key the server vouches for must be the one the userId is made from. */
  async function keyHolds(person: KeyedPerson, what: string): Promise<boolean> {
    if ((await idOfKey(person.userKey)) === person.userId) return true;
    logger.warn(`dropped a ${what} whose key does not belong to its userId ${person.userId}: the server is not to be trusted with it`);
    return false;
  }

  /** What the server has (the last list sent, or the handshake's); null: not known, send. */
  let lastSent: string | null = null;
  const keyOf = (payload: { userIds: readonly string[]; strangerCalls: StrangerCalls }): string =>
    JSON.stringify({ userIds: payload.userIds, strangerCalls: payload.strangerCalls });
  async function sync(): Promise<void> {
    if (!online()) return;
    const payload = { userIds: book.userIds(), strangerCalls: options.strangerCalls() };
    const key = keyOf(payload);
    if (key === lastSent) return;
    lastSent = key;
    try {
      await client.request('contacts:set', payload);
    } catch (error) {
      lastSent = null;
      logger.warn('the server did not take the contact list', error);
      notify({ level: 'error', message: t('notices.contactListFailed', { reason: serverErrorText(error) }) });
    }
  }

  async function send(to: string, secret: string | null): Promise<boolean> {
    try {
      await client.request('contact:request', { to, secret });
      return true;
    } catch (error) {
      logger.warn(`the contact request to ${to} was not delivered; it is sent again after the next connection`, error);
      return false;
    }
  }

  async function answer(to: string, accept: boolean): Promise<void> {
    try {
      await client.request('contact:answer', { to, accept });
    } catch (error) {
      logger.warn(`could not send the answer to ${to}'s contact request`, error);
      notify({ level: 'error', message: t('notices.answerFailed', { reason: serverErrorText(error) }) });
    }
  }

  /** Adds `person` (pinning their key); a different key than the pinned one is a key change. */
  async function addPerson(person: KeyedPerson): Promise<boolean> {
    const added = await book.add(person);
    await Promise.all([book.removeOutgoing(person.userId), book.removeIncoming(person.userId)]);
    return added !== 'key_changed';
  }

  const onRequested = ({ from, secret }: { from: KeyedPerson; secret: string | null }): void => {
    void (async () => {
      // A contact presenting another key is shown as a key change (calls blocked),
      // even when that key is not even theirs: only a lying server can send it.
      if (book.getSnapshot().contacts.has(from.userId) && (await book.noteKey(from)) === 'changed') return;
      if (!(await keyHolds(from, 'contact request'))) return;
      if (from.userId === options.selfUserId) return;
      if (options.isBlocked(from.userId)) {
        logger.info(`ignored a contact request from ${from.userId}, who is on the block list`);
        return;
      }
      if (book.getSnapshot().contacts.has(from.userId)) {
        // Asked again (they lost my answer): same key (checked above), same answer.
        await answer(from.userId, true);
        return;
      }
      const mine = secret !== null && (await book.takeInvite(secret));
      const askedToo = book.getSnapshot().outgoing.some((r) => r.userId === from.userId);
      if (mine || askedToo) {
        if (await addPerson(from)) {
          await answer(from.userId, true);
          notify({
            level: 'info',
            message: t(mine ? 'notices.addedByInvite' : 'notices.nowContact', { name: from.displayName }),
          });
        }
        return;
      }
      if (secret !== null) logger.info(`a contact request from ${from.userId} carried a secret this app did not issue, or an old one: asking`);
      await book.addIncoming(from);
    })().catch((error: unknown) => logger.error('could not handle a contact request', error));
  };

  const onAnswered = ({ from, accepted }: { from: KeyedPerson; accepted: boolean }): void => {
    void (async () => {
      if (book.getSnapshot().contacts.has(from.userId) && (await book.noteKey(from)) === 'changed') return;
      if (!(await keyHolds(from, 'contact answer'))) return;
      const pending = book.getSnapshot().outgoing.some((r) => r.userId === from.userId);
      if (!pending) {
        // Answered twice (from two of their devices), or I cancelled: nothing to do.
        logger.debug(`an answer from ${from.userId} to no request of mine`);
        return;
      }
      if (!accepted) {
        await book.removeOutgoing(from.userId);
        notify({ level: 'info', message: t('notices.requestDeclined', { name: from.displayName }) });
        return;
      }
      if (await addPerson(from)) notify({ level: 'info', message: t('notices.requestAccepted', { name: from.displayName }) });
    })().catch((error: unknown) => logger.error('could not handle the answer to a contact request', error));
  };

  let lastWelcome: unknown = null;
  const offState = client.onState((state) => {
    if (state.phase !== 'online' || state.welcome === lastWelcome) return;
    lastWelcome = state.welcome;
    // The list this connection's handshake carried is what the server holds now (a
    // cluster's new coordinator keeps it from the socket too): sent again only if it
    // changed since, e.g. a contact added while the connection was being made.
    lastSent = state.profile ? keyOf({ userIds: state.profile.contacts, strangerCalls: state.profile.strangerCalls }) : null;
    void sync();
    for (const pending of book.getSnapshot().outgoing) void send(pending.userId, pending.secret);
  });
  let lastIds = book.userIds().join(',');
  const offBook = book.subscribe(() => {
    const ids = book.userIds().join(',');
    if (ids === lastIds) return;
    lastIds = ids;
    void sync();
  });
  client.events.on('contact:requested', onRequested);
  client.events.on('contact:answered', onAnswered);

  const incoming = (userId: string) => book.getSnapshot().incoming.find((r) => r.from.userId === userId) ?? null;

  return {
    async request(invite) {
      if (invite.userId === options.selfUserId) throw new Error(t('notices.ownInvite'));
      if (book.getSnapshot().contacts.has(invite.userId)) return 'already';
      await book.addOutgoing({ userId: invite.userId, secret: invite.secret });
      return online() && (await send(invite.userId, invite.secret)) ? 'sent' : 'pending';
    },
    async accept(userId) {
      const request = incoming(userId);
      if (!request) return;
      if (await addPerson(request.from)) await answer(userId, true);
    },
    async decline(userId) {
      if (!incoming(userId)) return;
      await book.removeIncoming(userId);
      await answer(userId, false);
    },
    async declineAndBlock(userId) {
      const request = incoming(userId);
      if (!request) return;
      await book.removeIncoming(userId);
      await answer(userId, false);
      await options.block({ userId, displayName: request.from.displayName });
    },
    cancel: (userId) => book.removeOutgoing(userId),
    acceptNewKey: (userId) => book.acceptNewKey(userId),
    removeContact: (userId) => book.remove(userId),
    sync: () => sync(),
    async searchDirectory(query) {
      try {
        const ack = await client.request('directory:search', { query });
        return { offered: true, users: ack.users.filter((u) => u.userId !== options.selfUserId) };
      } catch (error) {
        if (error instanceof RequestError && error.code === 'directory_off') return { offered: false };
        throw error;
      }
    },
    dispose() {
      offState();
      offBook();
      client.events.off('contact:requested', onRequested);
      client.events.off('contact:answered', onAnswered);
    },
  };
}
