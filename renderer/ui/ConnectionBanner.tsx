/**
 * Under the header when the connection needs attention: reconnecting (information),
 * or refused, with the one thing that fixes it (a password, an update, a new name).
 */
import { useId, useState, type FormEvent } from 'react';
import TriangleAlert from 'lucide-react/icons/triangle-alert';
import WifiOff from 'lucide-react/icons/wifi-off';
import type { ConnectionText } from '../state/connectionText';
import { useT } from '../i18n';

interface ConnectionBannerProps {
  connection: ConnectionText;
  refused: boolean;
  /** Web: reloading fetches the server's own build, which is the update. */
  canReload: boolean;
  onPassword(password: string): Promise<void>;
  onRetry(): void;
  onRename(): void;
}

export function ConnectionBanner({ connection, refused, canReload, onPassword, onRetry, onRename }: ConnectionBannerProps) {
  const { t } = useT();
  if (connection.tone !== 'warning' && !refused) return null;
  const Icon = refused ? TriangleAlert : WifiOff;
  return (
    <div className={`banner banner--${refused ? 'error' : 'warning'}`} role={refused ? 'alert' : undefined}>
      <Icon className="banner__icon" size={20} aria-hidden="true" />
      <div className="banner__text">
        <strong>{refused ? t('connectionBanner.cantConnect', { label: connection.label }) : connection.label}</strong>
        {connection.detail && <span>{connection.detail}</span>}
        {refused && connection.serverMessage && (
          <span className="banner__server">{t('connectionBanner.serverSaid', { message: connection.serverMessage })}</span>
        )}
      </div>
      {refused && (
        <div className="banner__actions">
          {connection.action === 'password' && <PasswordForm onSubmit={onPassword} />}
          {connection.action === 'update' && canReload && (
            <button type="button" className="button button--primary" onClick={() => window.location.reload()}>
              {t('connectionBanner.reload')}
            </button>
          )}
          {connection.action === 'rename' && (
            <button type="button" className="button button--primary" onClick={onRename}>
              {t('connectionBanner.rename')}
            </button>
          )}
          {connection.action === 'password' ? null : (
            <button type="button" className="button button--secondary" onClick={onRetry}>
              {t('connectionBanner.retry')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function PasswordForm({ onSubmit }: { onSubmit(password: string): Promise<void> }) {
  const { t } = useT();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(password);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <form className="password-form" onSubmit={(e) => void submit(e)}>
      <label htmlFor={id} className="visually-hidden">
        {t('connectionBanner.password')}
      </label>
      <input
        id={id}
        type="password"
        className="field__input"
        placeholder={t('connectionBanner.password')}
        autoComplete="current-password"
        value={password}
        maxLength={256}
        autoFocus
        onChange={(e) => setPassword(e.target.value)}
      />
      <button type="submit" className="button button--primary" disabled={busy}>
        {t('connectionBanner.connect')}
      </button>
      {error && (
        <span className="field__error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
