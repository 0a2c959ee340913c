/** The left column: Contacts and History tabs. */
import { memo, useEffect, useState, type ReactNode } from 'react';
import type { HistoryEntry } from '../../preload/contract';
import type { CallMedia } from '../../signaling-server/protocol';
import type { PersonRef } from '../call/types';
import type { Contact } from '../state/contacts';
import { historyKind } from '../state/history';
import { ContactList } from './ContactList';
import { HistoryList } from './HistoryList';
import { useT } from '../i18n';
import { Tabs } from './Tabs';

type Tab = 'contacts' | 'history';

interface SidebarProps {
  contacts: readonly Contact[];
  history: readonly HistoryEntry[];
  callBlocked: string | null;
  online: boolean;
  shareUrl: string | null;
  onCall(person: PersonRef, media: CallMedia): void;
  onToggleFavourite(contact: Contact): void;
  onClearHistory(): void;
  blockedUserIds: readonly string[];
  onToggleBlock(person: PersonRef): void;
  onAddContact?(): void;
  /** Contact requests and key changes, shown above the contact list. */
  requests?: ReactNode;
  onVerify?(contact: Contact): void;
  /** Contact requests waiting for an answer, counted on the Contacts tab. */
  requestCount?: number;
  /** Starts a meeting with someone; absent when the server has no media server. */
  onMeeting?(person: PersonRef): void;
}

/**
 * Memoised: the shell renders again at every phase of a call, and the contact list
 * need not (issue 15: that render falls between Accept and the first remote frame).
 */
export const Sidebar = memo(function Sidebar(props: SidebarProps) {
  const { contacts, history, callBlocked, online, shareUrl, onCall, onToggleFavourite, onClearHistory, blockedUserIds, onToggleBlock } = props;
  const { t } = useT();
  const [tab, setTab] = useState<Tab>('contacts');
  const [query, setQuery] = useState('');
  // Missed calls since the History tab was last looked at.
  const [seenUntil, setSeenUntil] = useState(() => Date.now());
  useEffect(() => {
    if (tab === 'history') setSeenUntil(Date.now());
  }, [tab, history]);
  const missed = tab === 'history' ? 0 : history.filter((e) => historyKind(e) === 'missed' && e.startedAt >= seenUntil).length;

  return (
    <aside className="sidebar" aria-label={t('sidebar.region')}>
      <Tabs<Tab>
        label={t('sidebar.tabs')}
        className="sidebar__tabs"
        selected={tab}
        onSelect={setTab}
        tabs={[
          { key: 'contacts', label: t('sidebar.contacts'), count: props.requestCount ?? 0 },
          { key: 'history', label: t('sidebar.history'), count: missed },
        ]}
      >
        {tab === 'contacts' ? (
          <ContactList
            contacts={contacts}
            query={query}
            onQueryChange={setQuery}
            callBlocked={callBlocked}
            online={online}
            shareUrl={shareUrl}
            onCall={(c, media) => onCall({ userId: c.userId, displayName: c.displayName }, media)}
            onToggleFavourite={onToggleFavourite}
            blockedUserIds={blockedUserIds}
            onToggleBlock={(c) => onToggleBlock({ userId: c.userId, displayName: c.displayName })}
            {...(props.onAddContact ? { onAddContact: props.onAddContact } : {})}
            {...(props.onVerify ? { onVerify: props.onVerify } : {})}
            {...(props.onMeeting ? { onMeeting: (c: Contact) => props.onMeeting?.({ userId: c.userId, displayName: c.displayName }) } : {})}
            requests={props.requests}
          />
        ) : (
          <HistoryList
            entries={history}
            callBlocked={callBlocked}
            onCallBack={onCall}
            onClear={onClearHistory}
            blockedUserIds={blockedUserIds}
            onToggleBlock={onToggleBlock}
          />
        )}
      </Tabs>
    </aside>
  );
});
