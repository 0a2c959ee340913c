/**
 * History tab: incoming, outgoing and missed calls, newest first, with "call back" and
 * block/unblock. Entries from before the move to keys (issue 12) name userIds that no
 * longer reach anyone: they stay, and say that the person must be added again.
 */
import PhoneCall from 'lucide-react/icons/phone-call';
import PhoneIncoming from 'lucide-react/icons/phone-incoming';
import PhoneMissed from 'lucide-react/icons/phone-missed';
import PhoneOutgoing from 'lucide-react/icons/phone-outgoing';
import History from 'lucide-react/icons/history';
import { useContext } from 'react';
import Video from 'lucide-react/icons/video';
import type { HistoryEntry } from '../../preload/contract';
import type { CallMedia } from '../../signaling-server/protocol';
import { describeHistoryEntry, type HistoryKind } from '../state/history';
import { useT } from '../i18n';
import { BlockToggle } from './BlockToggle';
import { ServicesContext } from './services';
import { useNow } from './useNow';

interface HistoryListProps {
  entries: readonly HistoryEntry[];
  callBlocked: string | null;
  onCallBack(peer: { userId: string; displayName: string }, media: CallMedia): void;
  onClear(): void;
  blockedUserIds: readonly string[];
  onToggleBlock(peer: { userId: string; displayName: string }): void;
}

const KIND_ICON: Record<HistoryKind, typeof PhoneIncoming> = {
  incoming: PhoneIncoming,
  outgoing: PhoneOutgoing,
  missed: PhoneMissed,
};

export function HistoryList({ entries, callBlocked, onCallBack, onClear, blockedUserIds, onToggleBlock }: HistoryListProps) {
  const now = useNow(60_000);
  const { t } = useT();
  // Calls that started before this install moved to keys name made-up ids (services.legacy).
  const keysSince = useContext(ServicesContext)?.legacy?.migratedAt ?? null;
  if (entries.length === 0) {
    return (
      <div className="empty">
        <History size={32} aria-hidden="true" />
        <p className="empty__title">{t('history.empty')}</p>
        <p className="empty__text">{t('history.emptyText')}</p>
      </div>
    );
  }
  return (
    <div className="history">
      <div className="history__toolbar">
        <h3 className="list-heading">{t('history.recent')}</h3>
        <button type="button" className="button button--ghost button--small" onClick={onClear}>
          {t('history.clear')}
        </button>
      </div>
      <ul className="history__list">
        {entries.map((entry) => {
          const row = describeHistoryEntry(entry, { now });
          const Icon = KIND_ICON[row.kind];
          const first = entry.peers[0];
          const earlier = keysSince !== null && entry.startedAt < keysSince;
          const earlierWhy = first ? t('history.addAgain', { name: first.displayName }) : '';
          return (
            <li key={entry.id} className={`history-row history-row--${row.kind}`}>
              <span className="history-row__icon" aria-hidden="true">
                <Icon size={18} />
              </span>
              <div className="history-row__text">
                <span className="history-row__line">
                  <span className="history-row__title">{row.title}</span>
                  <time className="history-row__time" dateTime={new Date(entry.startedAt).toISOString()}>
                    {row.time}
                  </time>
                </span>
                <span className="history-row__meta">
                  {entry.media === 'video' && <Video size={13} aria-hidden="true" className="history-row__media" />}
                  <span className="history-row__label">
                    {row.duration ? t('history.labelDuration', { label: row.label, duration: row.duration }) : row.label}
                  </span>
                </span>
                {earlier && first && <span className="history-row__meta">{t('history.beforeKeys', { why: earlierWhy })}</span>}
              </div>
              {first && (
                <BlockToggle name={first.displayName} blocked={blockedUserIds.includes(first.userId)} onToggle={() => onToggleBlock(first)} />
              )}
              {first && (
                <button
                  type="button"
                  className="icon-button icon-button--call"
                  aria-label={t('history.callBack', { name: first.displayName })}
                  aria-description={earlier ? earlierWhy : undefined}
                  title={earlier ? earlierWhy : (callBlocked ?? t('history.callBack', { name: first.displayName }))}
                  disabled={earlier || callBlocked !== null}
                  onClick={() => onCallBack(first, entry.media)}
                >
                  <PhoneCall size={18} aria-hidden="true" />
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
