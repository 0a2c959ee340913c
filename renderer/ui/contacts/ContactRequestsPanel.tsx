/**
 * What waits for the user above the contact list: people who asked to add me
 * (Accept / Decline / Block, marked when the name reads like a contact's), my
 * unanswered requests, and contacts whose key changed (calls blocked until the
 * new key is accepted).
 */
import type { ContactBookState } from '../../contacts/contactBook';
import type { StoredContact } from '../../contacts/types';
import { idPrefix } from './AddContactDialog';

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
  const keyChanges = [...book.keyChanges.values()];
  if (book.incoming.length === 0 && book.outgoing.length === 0 && keyChanges.length === 0) return null;
  return (
    <section className="requests" aria-label="Contact requests">
      <ul className="requests__list">
        {keyChanges.map((change) => (
          <li key={`key-${change.userId}`} className="request request--warning" role="alert">
            <p className="request__text">
              <strong>{change.displayName}’s key changed</strong> — calls are blocked until you accept the new key. Compare
              safety numbers with them first.
            </p>
            <div className="request__actions">
              <button type="button" className="button button--secondary button--small" onClick={() => props.onRemove(change.userId)}>
                Remove
              </button>
              <button type="button" className="button button--primary button--small" onClick={() => props.onAcceptKey(change.userId)}>
                Accept new key
              </button>
            </div>
          </li>
        ))}
        {book.incoming.map(({ from }) => {
          const lookalike = props.sameNameAs(from);
          return (
            <li key={`in-${from.userId}`} className="request" data-user-id={from.userId}>
              <p className="request__text">
                <strong>{from.displayName}</strong> wants to add you <code>{idPrefix(from.userId)}</code>
                {lookalike && (
                  <span className="request__warning">
                    {' '}
                    Is this the same {lookalike.displayName}? They have a new id.{' '}
                    <button type="button" className="link-button" onClick={() => props.onCompare(from.userId)}>
                      Compare safety numbers
                    </button>
                  </span>
                )}
              </p>
              <div className="request__actions">
                <button
                  type="button"
                  className="button button--ghost button--small"
                  aria-label={`Block ${from.displayName}`}
                  onClick={() => props.onBlock(from.userId)}
                >
                  Block
                </button>
                <button
                  type="button"
                  className="button button--secondary button--small"
                  aria-label={`Decline ${from.displayName}`}
                  onClick={() => props.onDecline(from.userId)}
                >
                  Decline
                </button>
                <button
                  type="button"
                  className="button button--primary button--small"
                  aria-label={`Accept ${from.displayName}`}
                  onClick={() => props.onAccept(from.userId)}
                >
                  Accept
                </button>
              </div>
            </li>
          );
        })}
        {book.outgoing.map((request) => (
          <li key={`out-${request.userId}`} className="request request--quiet">
            <p className="request__text">
              Waiting for <code>{idPrefix(request.userId)}</code> to accept your request
            </p>
            <div className="request__actions">
              <button type="button" className="button button--ghost button--small" onClick={() => props.onCancel(request.userId)}>
                Cancel
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
