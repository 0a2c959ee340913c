/**
 * The contact screens the window shows over the list: "Add a contact" (also
 * opened by an invite link), the safety number screen, and the panel of
 * requests and key changes. Shell renders `dialogs` and hands `panel` to the
 * sidebar.
 */
import { lazy, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { PublicKey } from '../../../signaling-server/identity';
import type { ContactBook, ContactBookState } from '../../contacts/contactBook';
import type { ContactRequests } from '../../contacts/contactRequests';
import type { InviteRef } from '../../contacts/invites';
import { t } from '../../i18n';
import { log } from '../../log';
import type { Contact } from '../../state/contacts';
import { LazyPiece } from '../LazyPiece';
import type { Services } from '../services';
import { ContactRequestsPanel } from './ContactRequestsPanel';
import { serverErrorText } from '../../state/serverErrorText';

// Opened now and then, so loaded when first opened, not at start (issue 16.8).
const AddContactDialog = lazy(async () => ({ default: (await import('./AddContactDialog')).AddContactDialog }));
const SafetyNumberDialog = lazy(async () => ({ default: (await import('./SafetyNumberDialog')).SafetyNumberDialog }));

const logger = log.child('ui.contacts');
/** An error in words: a server refusal said for its code in the UI's language, any other error as it reads. */
const words = (error: unknown): string => serverErrorText(error);

type Verifying = { userId: string; name: string; key: PublicKey; inBook: boolean };

export interface ContactsUi {
  panel: ReactNode;
  /** Requests waiting for my answer, and key changes. */
  attention: number;
  openAdd(): void;
  openVerify(contact: Contact): void;
  dialogs: ReactNode;
}

export function useContactsUi(input: {
  services: Services;
  book: ContactBook | null;
  bookState: ContactBookState;
  requests: ContactRequests | null;
}): ContactsUi {
  const { services, book, bookState, requests } = input;
  const { toasts } = services;
  const [adding, setAdding] = useState<{ opened: InviteRef | null } | null>(null);
  const [invite, setInvite] = useState<InviteRef | null>(null);
  const [verifying, setVerifying] = useState<Verifying | null>(null);
  const fail = useCallback((error: unknown) => void toasts.push({ level: 'error', message: words(error) }), [toasts]);
  /** A dialog that could not be shown (logged by LazyPiece): closed, and said. */
  const notShown = (close: () => void) => (error: unknown) => {
    close();
    toasts.push({ level: 'error', message: t('app.partNotLoaded', { reason: words(error) }) });
  };

  // parley://add/… (desktop) and #add/… (browser): ask before anything is sent.
  useEffect(
    () =>
      services.bridge.onInviteOpened((opened) => {
        if (opened.userId === services.identity.userId) {
          toasts.push({ level: 'info', message: t('contactsToasts.ownInvite') });
          return;
        }
        setAdding({ opened });
      }),
    [services, toasts],
  );

  // My invite, made (or reused while valid) when the dialog opens. The one shown last
  // time may have been used since: it is cleared first, so nobody copies a spent code.
  useEffect(() => {
    if (!adding || !book) return;
    setInvite(null);
    let cancelled = false;
    book.currentInvite().then(
      (current) => !cancelled && setInvite({ userId: services.identity.userId, secret: current.secret }),
      (error: unknown) => {
        logger.error('could not make an invite', error);
        fail(error);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [adding, book, services.identity.userId, fail]);

  const run = (action: () => Promise<unknown>): void => void action().catch(fail);
  const needRequests = (): ContactRequests => {
    if (!requests) throw new Error(t('contactsToasts.connecting'));
    return requests;
  };

  const openAdd = useCallback(() => setAdding({ opened: null }), []);

  const openVerify = useCallback(
    (contact: Contact) => {
      const change = bookState.keyChanges.get(contact.userId);
      const key = change?.newKey ?? bookState.contacts.get(contact.userId)?.userKey;
      if (!key) return;
      setVerifying({ userId: contact.userId, name: contact.displayName, key, inBook: true });
    },
    [bookState],
  );

  // The same element while nothing it shows changes, so the sidebar that holds it
  // (memo) is not rendered again by changes elsewhere, such as a call's (issue 15).
  const panel = useMemo(
    () =>
      book ? (
        <ContactRequestsPanel
          book={bookState}
          sameNameAs={(person) => book.sameNameAs(person)}
          onAccept={(userId) => run(() => needRequests().accept(userId))}
          onDecline={(userId) => run(() => needRequests().decline(userId))}
          onBlock={(userId) => run(() => needRequests().declineAndBlock(userId))}
          onCancel={(userId) => run(() => book.removeOutgoing(userId))}
          onCompare={(userId) => {
            const request = bookState.incoming.find((r) => r.from.userId === userId);
            if (request) setVerifying({ userId, name: request.from.displayName, key: request.from.userKey, inBook: false });
          }}
          onAcceptKey={(userId) =>
            run(async () => {
              await book.acceptNewKey(userId);
              toasts.push({ level: 'info', message: t('contactsToasts.keyAccepted') });
            })
          }
          onRemove={(userId) => run(() => book.remove(userId))}
        />
      ) : null,
    // run and needRequests are rebuilt each render, from requests and fail
    [book, bookState, requests, fail, toasts],
  );

  const verifiedContact = verifying ? bookState.contacts.get(verifying.userId) : undefined;
  const dialogs = (
    <>
      {adding && (
        <LazyPiece what="the Add a contact dialog" onFailed={notShown(() => setAdding(null))}>
          <AddContactDialog
            key={adding.opened ? `${adding.opened.userId}/${adding.opened.secret}` : 'add'}
            invite={invite}
            linkStyle={services.appInfo.host === 'desktop' ? { kind: 'desktop' } : { kind: 'web', origin: window.location.origin }}
            opened={adding.opened}
            onNewInvite={async () => {
              if (!book) return;
              const created = await book.createInvite();
              setInvite({ userId: services.identity.userId, secret: created.secret });
            }}
            onRequest={(target) => needRequests().request(target)}
            onSearch={(query) => needRequests().searchDirectory(query)}
            onOpenedDone={(message) => toasts.push({ level: 'info', message })}
            onClose={() => setAdding(null)}
          />
        </LazyPiece>
      )}
      {verifying && book && (
        <LazyPiece what="the safety number dialog" onFailed={notShown(() => setVerifying(null))}>
          <SafetyNumberDialog
            name={verifying.name}
            myKey={services.identity.credential.userKey}
            theirKey={verifying.key}
            {...(verifying.inBook && verifiedContact && !bookState.keyChanges.has(verifying.userId)
              ? {
                  verified: verifiedContact.verified,
                  onVerified: (verified: boolean) => book.setVerified(verifying.userId, verified),
                }
              : {})}
            {...(verifying.inBook
              ? {
                  onRemove: async () => {
                    await book.remove(verifying.userId);
                    setVerifying(null);
                  },
                }
              : {})}
            onClose={() => setVerifying(null)}
          />
        </LazyPiece>
      )}
    </>
  );

  return {
    panel,
    attention: bookState.incoming.length + bookState.keyChanges.size,
    openAdd,
    openVerify,
    dialogs,
  };
}
