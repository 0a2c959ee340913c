/** Contacts tab: search, favourites pinned first, then everyone online. */
import { useId, useMemo } from 'react';
import Search from 'lucide-react/icons/search';
import Users from 'lucide-react/icons/users';
import WifiOff from 'lucide-react/icons/wifi-off';
import type { CallMedia } from '../../signaling-server/protocol';
import { filterContacts, type Contact } from '../state/contacts';
import { ContactRow } from './ContactRow';

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
}

export function ContactList(props: ContactListProps) {
  const { contacts, query, onQueryChange, callBlocked, online, shareUrl, onCall, onToggleFavourite, blockedUserIds, onToggleBlock } = props;
  const searchId = useId();
  const shown = useMemo(() => filterContacts(contacts, query), [contacts, query]);
  const favourites = shown.filter((c) => c.favourite);
  const others = shown.filter((c) => !c.favourite);
  const row = (contact: Contact) => (
    <ContactRow
      key={contact.userId}
      contact={contact}
      callBlocked={callBlocked}
      onCall={onCall}
      onToggleFavourite={onToggleFavourite}
      isBlocked={blockedUserIds.includes(contact.userId)}
      onToggleBlock={onToggleBlock}
    />
  );

  return (
    <div className="contacts">
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
          <p className="empty__title">No one else is online yet</p>
          <p className="empty__text">
            {shareUrl ? (
              <>
                Others can join from a browser at <span className="empty__url">{shareUrl}</span>
              </>
            ) : (
              'People appear here as soon as they connect to your server.'
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
          {others.length > 0 && (
            <section aria-label="Online">
              <h3 className="list-heading">Online · {others.length}</h3>
              <ul className="contacts__list">{others.map(row)}</ul>
            </section>
          )}
        </div>
      )}
    </div>
  );
}
