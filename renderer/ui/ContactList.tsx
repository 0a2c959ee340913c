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
import { Trans } from 'react-i18next';
import { filterContacts, type Contact } from '../state/contacts';
import { useT } from '../i18n';
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
  /** Starts a meeting with a contact; absent when the server has no media server (the button is hidden). */
  onMeeting?(contact: Contact): void;
}

export function ContactList(props: ContactListProps) {
  const { contacts, query, onQueryChange, callBlocked, online, shareUrl, onCall, onToggleFavourite, blockedUserIds, onToggleBlock, onVerify, onMeeting } = props;
  const { t } = useT();
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
      {...(onMeeting ? { onMeeting } : {})}
    />
  );

  return (
    <div className="contacts">
      {props.onAddContact && (
        <div className="contacts__add">
          <button type="button" className="button button--secondary button--small" onClick={props.onAddContact}>
            <UserPlus size={16} aria-hidden="true" /> {t('contactList.add')}
          </button>
        </div>
      )}
      {props.requests}
      <div className="search">
        <Search className="search__icon" size={16} aria-hidden="true" />
        <label htmlFor={searchId} className="visually-hidden">
          {t('contactList.search')}
        </label>
        <input
          id={searchId}
          type="search"
          className="search__input"
          placeholder={t('contactList.searchPlaceholder')}
          value={query}
          onChange={(e) => onQueryChange(e.target.value)}
        />
      </div>
      {contacts.length === 0 && !online ? (
        <div className="empty">
          <WifiOff size={32} aria-hidden="true" />
          <p className="empty__title">{t('contactList.offlineTitle')}</p>
          <p className="empty__text">{t('contactList.offlineText')}</p>
        </div>
      ) : contacts.length === 0 ? (
        <div className="empty">
          <Users size={32} aria-hidden="true" />
          <p className="empty__title">{t('contactList.emptyTitle')}</p>
          <p className="empty__text">
            {t('contactList.emptyText')}
            {shareUrl && (
              <>
                {' '}
                <Trans t={t} i18nKey="contactList.openInBrowser" values={{ url: shareUrl }} components={{ url: <span className="empty__url" /> }} />
              </>
            )}
          </p>
        </div>
      ) : shown.length === 0 ? (
        <div className="empty">
          <p className="empty__title">{t('contactList.noMatch', { query: query.trim() })}</p>
        </div>
      ) : (
        <div className="contacts__scroll">
          {favourites.length > 0 && (
            <section aria-label={t('contactList.favourites')}>
              <h3 className="list-heading">{t('contactList.favourites')}</h3>
              <ul className="contacts__list">{favourites.map(row)}</ul>
            </section>
          )}
          {mine.length > 0 && (
            <section aria-label={t('contactList.contacts')}>
              <h3 className="list-heading">{t('contactList.contactsOnline', { online: onlineCount, total: mine.length })}</h3>
              <ul className="contacts__list">{mine.map(row)}</ul>
            </section>
          )}
          {others.length > 0 && (
            <section aria-label={t('contactList.others')}>
              <h3 className="list-heading">{t('contactList.othersCount', { count: others.length })}</h3>
              <ul className="contacts__list">{others.map(row)}</ul>
            </section>
          )}
        </div>
      )}
    </div>
  );
}
