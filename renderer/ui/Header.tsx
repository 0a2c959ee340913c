/** The top bar: who I am, my status, and the connection to the server. */
import Settings from 'lucide-react/icons/settings';
import { chosenStatusSchema, type ChosenStatus } from '../../signaling-server/protocol';
import type { ConnectionText } from '../state/connectionText';
import { useT } from '../i18n';
import { Avatar } from './Avatar';
import { Logo } from './Logo';
import { ShortcutsHelp } from './shortcuts/ShortcutsHelp';

interface HeaderProps {
  connection: ConnectionText;
  selfId: string;
  selfName: string;
  status: ChosenStatus;
  /** Shown instead of the chosen status while a call runs. */
  inCall: boolean;
  /** A new name means a new connection, so it waits until no call runs. */
  canRename: boolean;
  onStatusChange(status: ChosenStatus): void;
  onRename(): void;
  /** Opens Settings (devices, files). */
  onSettings(): void;
}

/** The choices, with their locale keys (looked up at render time, in the language then in force). */
const STATUS_OPTIONS = [
  { value: 'available', label: 'header.available' },
  { value: 'dnd', label: 'header.dnd' },
  { value: 'away', label: 'header.away' },
] as const satisfies readonly { value: ChosenStatus; label: string }[];

export function Header({ connection, selfId, selfName, status, inCall, canRename, onStatusChange, onRename, onSettings }: HeaderProps) {
  const { t } = useT();
  return (
    <header className="header">
      <div className="header__brand">
        <Logo />
        <span className="header__name">Parley</span>
      </div>
      <div
        className={`connection connection--${connection.tone}`}
        role="status"
        aria-label={t('header.connection', { label: connection.label })}
        title={connection.detail ?? undefined}
      >
        <span className="connection__dot" aria-hidden="true" />
        <span className="connection__label">{connection.label}</span>
      </div>
      <div className="header__spacer" />
      <div className={`status-select status-select--${status}`} title={inCall ? t('header.inCallHint') : undefined}>
        <span className="status-select__dot" aria-hidden="true" />
        <select
          aria-label={t('header.status')}
          value={status}
          onChange={(e) => {
            const parsed = chosenStatusSchema.safeParse(e.target.value);
            if (parsed.success) onStatusChange(parsed.data);
          }}
        >
          {STATUS_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {t(o.label)}
            </option>
          ))}
        </select>
      </div>
      <button
        type="button"
        className="self-chip"
        onClick={onRename}
        disabled={!canRename}
        // The visible name starts the accessible name (WCAG 2.5.3 label in name; axe drops a parenthesised name).
        aria-label={t('header.renameLabel', { name: selfName })}
        title={canRename ? t('header.renameHint') : t('header.renameLater')}
      >
        <Avatar userId={selfId} name={selfName} size="sm" />
        <span className="self-chip__name">{selfName}</span>
      </button>
      <ShortcutsHelp />
      <button type="button" className="icon-button" aria-label={t('settings.title')} title={t('settings.title')} onClick={onSettings}>
        <Settings size={20} aria-hidden="true" />
      </button>
    </header>
  );
}
