/**
 * Opens the session (signaling client, presence, call engine) for the current name,
 * and opens a fresh one when `restart` is called (a new password, "Try again").
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChosenStatus } from '../../signaling-server/protocol';
import type { ContactBook } from '../contacts/contactBook';
import { openSession, type Session } from '../session';
import type { Services } from './services';
import { t } from '../i18n';

/** `book`: the contact book; the session opens once it is loaded, so the first handshake lists the contacts. */
export function useSession(services: Services, displayName: string, status: ChosenStatus, book: ContactBook | null) {
  const [session, setSession] = useState<Session | null>(null);
  const [generation, setGeneration] = useState(0);
  const statusRef = useRef(status);
  statusRef.current = status;

  useEffect(() => {
    if (book === null) return;
    let cancelled = false;
    let opened: Session | null = null;
    const report = (message: string): void => void services.toasts.push({ level: 'error', message });
    services.bridge.getServerEndpoint().then(
      (endpoint) => {
        if (cancelled) return;
        try {
          opened = openSession({
            endpoint,
            identity: services.identity,
            displayName,
            strangerCalls: () => services.settings.getSnapshot().strangerCalls,
            contacts: () => book.userIds(),
            isContact: (userId) => book.isContact(userId),
            callRefusal: (peer) =>
              book.getSnapshot().keyChanges.has(peer.userId)
                ? `${peer.displayName}'s key changed: calls are blocked until you accept the new key (Contacts).`
                : null,
            status: statusRef.current,
            devices: () => services.settings.getSnapshot().devices,
            relayOnly: () => services.settings.getSnapshot().relayOnly,
            ringPreview: () => services.settings.getSnapshot().ringPreview,
            maxFileBytes: () => services.settings.getSnapshot().maxFileBytes,
            // The desktop writes received files to disk through main; the browser keeps them in memory.
            downloads: services.appInfo.host === 'desktop' ? services.bridge : null,
            blocked: () => services.settings.getSnapshot().blockedUserIds,
            favourites: () => services.favourites.getSnapshot(),
            onHistory: (entry) => void services.history.add(entry),
            onError: report,
          });
          setSession(opened);
        } catch (error) {
          report(t('notices.connectionFailed', { reason: error instanceof Error ? error.message : String(error) }));
        }
      },
      (error: unknown) =>
        report(t('notices.serverNotFound', { reason: error instanceof Error ? error.message : String(error) })),
    );
    return () => {
      cancelled = true;
      opened?.dispose();
      setSession((current) => (current === opened ? null : current));
    };
  }, [services, displayName, generation, book]);

  const restart = useCallback(() => setGeneration((n) => n + 1), []);
  return { session, restart };
}
