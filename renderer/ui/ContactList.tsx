/**
 * Contacts tab: "Add a contact", requests waiting for an answer, search,
 * favourites pinned first, then the people I added (online first, offline
 * greyed), then anyone else the server shows.
 */
import { useId, useMemo, type ReactNode } from 'react';
import Search from 'lucide-react/icons/search';
import UserPlus from 'lucide-react/icons/user-plus';
import Users from 'lucide-react/icons/users';
import WifiOff from 'lucide-react/icons/wifi-off';
import type { CallMedia } from '../../signaling-server/protocol';
import { filterContacts, type Contact } from '../state/contacts';
import { ContactRow } from './ContactRow';
import './styles/contact-book.css';

interface ContactListProps {
  contacts: readonly Contact[];
  query: string;
  onQueryChange(query: string): void;
  callBlocked: string | null;
  online: boolean;
  /** Address others can open to join (web), shown when nobody else is here. */
  shareUrl: string | null;
  onCall(contact: Contact, media: CallMedia): void;
  onToggleFavourite(contact: Contact): void;
  blockedUserIds: readonly string[];
  onToggleBlock(contact: Contact): void;
  /** Opens "Add a contact" (absent: the button is not shown). */
  onAddContact?(): void;
  /** Requests and key changes waiting for the user, above the list. */
  requests?: ReactNode;
  onVerify?(contact: Contact): void;
}

export function ContactList(props: ContactListProps) {
  const { contacts, query, onQueryChange, callBlocked, online, shareUrl, onCall, onToggleFavourite, blockedUserIds, onToggleBlock, onVerify } = props;
  const searchId = useId();
  const shown = useMemo(() => filterContacts(contacts, query), [contacts, query]);
  const favourites = shown.filter((c) => c.favourite);
  const mine = shown.filter((c) => !c.favourite && c.inBook);
  const others = shown.filter((c) => !c.favourite && !c.inBook);
  const onlineCount = mine.filter((c) => c.status !== 'offline').length;
  const row = (contact: Contact) => (
    <ContactRow
      key={contact.userId}
      contact={contact}
      callBlocked={callBlocked}
      onCall={onCall}
      onToggleFavourite={onToggleFavourite}
      isBlocked={blockedUserIds.includes(contact.userId)}
      onToggleBlock={onToggleBlock}
      {...(onVerify ? { onVerify } : {})}
    />
  );

  return (
    <div className="contacts">
      {props.onAddContact && (
        <div className="contacts__add">
          <button type="button" className="button button--secondary button--small" onClick={props.onAddContact}>
            <UserPlus size={16} aria-hidden="true" /> Add a contact
          </button>
        </div>
      )}
      {props.requests}
      <div className="search">
        <Search className="search__icon" size={16} aria-hidden="true" />
        <label htmlFor={searchId} className="visually-hidden">
          Search contacts
        </label>
        <input
          id={searchId}
          type="search"
          className="search__input"
          placeholder="Search"
          value={query}
          onChange={(e) => onQueryChange(e.target.value)}
        />
      </div>
      {contacts.length === 0 && !online ? (
        <div className="empty">
          <WifiOff size={32} aria-hidden="true" />
          <p className="empty__title">Not connected</p>
          <p className="empty__text">People appear here once Parley is connected to the server.</p>
        </div>
      ) : contacts.length === 0 ? (
        <div className="empty">
          <Users size={32} aria-hidden="true" />
          <p className="empty__title">No contacts yet</p>
          <p className="empty__text">
            Press “Add a contact” and give your invite link or code to someone: once they use it, you see each other here.
            {shareUrl && (
              <>
                {' '}
                They can open Parley in a browser at <span className="empty__url">{shareUrl}</span>
              </>
            )}
          </p>
        </div>
      ) : shown.length === 0 ? (
        <div className="empty">
          <p className="empty__title">No one matches “{query.trim()}”</p>
        </div>
      ) : (
        <div className="contacts__scroll">
          {favourites.length > 0 && (
            <section aria-label="Favourites">
              <h3 className="list-heading">Favourites</h3>
              <ul className="contacts__list">{favourites.map(row)}</ul>
            </section>
          )}
          {mine.length > 0 && (
            <section aria-label="Contacts">
              <h3 className="list-heading">
                Contacts · {onlineCount} of {mine.length} online
              </h3>
              <ul className="contacts__list">{mine.map(row)}</ul>
            </section>
          )}
          {others.length > 0 && (
            <section aria-label="Not in your contacts">
              <h3 className="list-heading">Not in your contacts · {others.length}</h3>
              <ul className="contacts__list">{others.map(row)}</ul>
            </section>
          )}
        </div>
      )}
    </div>
  );
}
