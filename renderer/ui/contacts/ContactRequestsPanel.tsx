/**
 * What waits for the user above the contact list: people who asked to add me
 * (Accept / Decline / Block, marked when the name reads like a contact's), my
 * unanswered requests, and contacts whose key changed (calls blocked until the
 * new key is accepted).
 */
import type { ContactBookState } from '../../contacts/contactBook';
import type { StoredContact } from '../../contacts/types';
import { Trans } from 'react-i18next';
import { useT } from '../../i18n';
import { idPrefix } from './idPrefix';

export interface ContactRequestsPanelProps {
  book: ContactBookState;
  /** A contact whose name reads like this newcomer's (a reinstall comes back as a new id). */
  sameNameAs(person: { userId: string; displayName: string }): StoredContact | null;
  onAccept(userId: string): void;
  onDecline(userId: string): void;
  onBlock(userId: string): void;
  onCancel(userId: string): void;
  onCompare(userId: string): void;
  onAcceptKey(userId: string): void;
  onRemove(userId: string): void;
}

export function ContactRequestsPanel(props: ContactRequestsPanelProps) {
  const { book } = props;
  const { t } = useT();
  const keyChanges = [...book.keyChanges.values()];
  if (book.incoming.length === 0 && book.outgoing.length === 0 && keyChanges.length === 0) return null;
  return (
    <section className="requests" aria-label={t('contactRequests.label')}>
      <ul className="requests__list">
        {keyChanges.map((change) => (
          <li key={`key-${change.userId}`} className="request request--warning" role="alert">
            <p className="request__text">
              <Trans t={t} i18nKey="contactRequests.keyChanged" values={{ name: change.displayName }} components={{ b: <strong /> }} />
            </p>
            <div className="request__actions">
              <button type="button" className="button button--secondary button--small" onClick={() => props.onRemove(change.userId)}>
                {t('contactRequests.remove')}
              </button>
              <button type="button" className="button button--primary button--small" onClick={() => props.onAcceptKey(change.userId)}>
                {t('contactRequests.acceptKey')}
              </button>
            </div>
          </li>
        ))}
        {book.incoming.map(({ from }) => {
          const lookalike = props.sameNameAs(from);
          return (
            <li key={`in-${from.userId}`} className="request" data-user-id={from.userId}>
              <p className="request__text">
                <Trans
                  t={t}
                  i18nKey="contactRequests.wantsToAdd"
                  values={{ name: from.displayName, id: idPrefix(from.userId) }}
                  components={{ b: <strong />, code: <code /> }}
                />
                {lookalike && (
                  <span className="request__warning">
                    {' '}
                    {t('contactRequests.sameName', { name: lookalike.displayName })}{' '}
                    <button type="button" className="link-button" onClick={() => props.onCompare(from.userId)}>
                      {t('contactRequests.compare')}
                    </button>
                  </span>
                )}
              </p>
              <div className="request__actions">
                <button
                  type="button"
                  className="button button--ghost button--small"
                  aria-label={t('contactRequests.blockWho', { name: from.displayName })}
                  onClick={() => props.onBlock(from.userId)}
                >
                  {t('contactRequests.block')}
                </button>
                <button
                  type="button"
                  className="button button--secondary button--small"
                  aria-label={t('contactRequests.declineWho', { name: from.displayName })}
                  onClick={() => props.onDecline(from.userId)}
                >
                  {t('contactRequests.decline')}
                </button>
                <button
                  type="button"
                  className="button button--primary button--small"
                  aria-label={t('contactRequests.acceptWho', { name: from.displayName })}
                  onClick={() => props.onAccept(from.userId)}
                >
                  {t('contactRequests.accept')}
                </button>
              </div>
            </li>
          );
        })}
        {book.outgoing.map((request) => (
          <li key={`out-${request.userId}`} className="request request--quiet">
            <p className="request__text">
              <Trans t={t} i18nKey="contactRequests.waiting" values={{ id: idPrefix(request.userId) }} components={{ code: <code /> }} />
            </p>
            <div className="request__actions">
              <button type="button" className="button button--ghost button--small" onClick={() => props.onCancel(request.userId)}>
                {t('common.cancel')}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
