/**
 * "Join <server>? Its certificate fingerprint is …": asked before Parley joins a
 * server from a parley://join link, the browser build's #join?… address, or the
 * "Parley servers on your network" list. Joining pins the fingerprint shown, so a
 * different certificate is refused later; the person compares it with the one the
 * host reads out from Settings → Server (or its printed start-up line).
 */
import { useState } from 'react';
import '../styles/server-settings.css';
import { Dialog } from '../Dialog';
import type { JoinRef } from '../../../preload/contract';
import { groupedFingerprint } from './serverLinks';

interface JoinServerDialogProps {
  invite: JoinRef;
  /** The server's announced name (mDNS), shown beside its address; never trusted. */
  name?: string;
  /** Where the invite came from, in the person's words: "a link", "your network". */
  source: string;
  /** Saves the server first in the join list (fingerprint pinned) and connects to it. */
  onJoin(invite: JoinRef): Promise<void>;
  onClose(): void;
}

export function JoinServerDialog({ invite, name, source, onJoin, onClose }: JoinServerDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const label = name ? `${name} (${invite.server})` : invite.server;

  const join = (): void => {
    setBusy(true);
    setError(null);
    onJoin(invite).then(onClose, (e: unknown) => {
      setBusy(false);
      setError(`Not joined: ${e instanceof Error ? e.message : String(e)}`);
    });
  };

  return (
    <Dialog
      title={`Join ${label}?`}
      description={`From ${source}.`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button button--secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button button--primary" disabled={busy} onClick={join}>
            {busy ? 'Joining…' : 'Join'}
          </button>
        </>
      }
    >
      {invite.fingerprint ? (
        <>
          <p>Its certificate fingerprint is:</p>
          <p className="join-fingerprint" data-testid="join-fingerprint">
            <code>{groupedFingerprint(invite.fingerprint)}</code>
          </p>
          <p className="field__hint">
            Compare it with the one the person hosting the server sees in Settings → Server. Parley will only connect to a server
            with exactly this certificate; if they differ, someone may be in the middle: cancel.
          </p>
        </>
      ) : (
        <p className="field__hint">No fingerprint came with it: Parley connects only if your system trusts the server’s certificate.</p>
      )}
      <p className="field__hint">
        {invite.password ? 'The server’s password came with it and will be saved.' : 'No password came with it; if the server needs one, add it in Settings → Server.'}{' '}
        You will be signed in to this server instead of the one you use now.
      </p>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
