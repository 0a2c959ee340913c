/**
 * "Join <server>? Its certificate fingerprint is …": asked before Parley joins a
 * server from a parley://join link, the browser build's #join?… address, or the
 * "Parley servers on your network" list. Joining pins the fingerprint shown, so a
 * different certificate is refused later; the person compares it with the one the
 * host reads out from Settings → Server (or its printed start-up line).
 */
import { useState } from 'react';
import '../styles/server-settings.css';
import { t as translate, useT } from '../../i18n';
import { Dialog } from '../Dialog';
import type { JoinRef } from '../../../preload/contract';
import { groupedFingerprint } from './serverLinks';

interface JoinServerDialogProps {
  invite: JoinRef;
  /** The server's announced name (mDNS), shown beside its address; never trusted. */
  name?: string;
  /** Where the invite came from: a join link, or the servers found on your network. */
  source: 'link' | 'network';
  /** Saves the server first in the join list (fingerprint pinned) and connects to it. */
  onJoin(invite: JoinRef): Promise<void>;
  onClose(): void;
}

export function JoinServerDialog({ invite, name, source, onJoin, onClose }: JoinServerDialogProps) {
  const { t } = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const label = name ? `${name} (${invite.server})` : invite.server;

  const join = (): void => {
    setBusy(true);
    setError(null);
    onJoin(invite).then(onClose, (e: unknown) => {
      setBusy(false);
      setError(translate('joinServer.notJoined', { reason: e instanceof Error ? e.message : String(e) }));
    });
  };

  return (
    <Dialog
      title={t('joinServer.title', { server: label })}
      description={source === 'link' ? t('joinServer.fromLink') : t('joinServer.fromNetwork')}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button button--secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="button" className="button button--primary" disabled={busy} onClick={join}>
            {busy ? t('joinServer.joining') : t('joinServer.join')}
          </button>
        </>
      }
    >
      {invite.fingerprint ? (
        <>
          <p>{t('joinServer.fingerprintIs')}</p>
          <p className="join-fingerprint" data-testid="join-fingerprint">
            <code>{groupedFingerprint(invite.fingerprint)}</code>
          </p>
          <p className="field__hint">{t('joinServer.compare')}</p>
        </>
      ) : (
        <p className="field__hint">{t('joinServer.noFingerprint')}</p>
      )}
      <p className="field__hint">
        {invite.password ? t('joinServer.withPassword') : t('joinServer.noPassword')}
      </p>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
