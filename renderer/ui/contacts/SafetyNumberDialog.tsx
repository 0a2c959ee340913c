/**
 * "Verify <name>": our safety number in twelve groups of five digits and as a QR
 * code, a field to check what they read out, and "Mark as verified". Both sides
 * see the same number exactly when each has the other's real key.
 */
import { useEffect, useId, useState } from 'react';
import type { PublicKey } from '../../../signaling-server/identity';
import { compareSafetyNumber, safetyNumberOf, type SafetyNumber } from '../../contacts/safety';
import { log } from '../../log';
import { Dialog } from '../Dialog';
import { QrCode } from './QrCode';

export interface SafetyNumberDialogProps {
  name: string;
  myKey: PublicKey;
  theirKey: PublicKey;
  /** Absent for someone not (yet) in my contacts: nothing to mark. */
  verified?: boolean;
  onVerified?(verified: boolean): Promise<void>;
  /** Remove them from my contacts. */
  onRemove?(): Promise<void>;
  onClose(): void;
}

const COMPARISON_TEXT = {
  match: 'The numbers match: you have each other’s real keys.',
  mismatch: 'The numbers differ. Do not mark them verified: someone may stand between you. Ask them to check their screen.',
  incomplete: null,
} as const;

export function SafetyNumberDialog({ name, myKey, theirKey, verified, onVerified, onRemove, onClose }: SafetyNumberDialogProps) {
  const compareId = useId();
  const [number, setNumber] = useState<SafetyNumber | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    safetyNumberOf(myKey, theirKey).then(
      (n) => !cancelled && setNumber(n),
      (error: unknown) => {
        log.child('ui.contacts').error('could not compute a safety number', error);
        if (!cancelled) setFailed(`The safety number could not be computed: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [myKey, theirKey]);

  const comparison = number ? compareSafetyNumber(number, typed) : 'incomplete';
  const act = (action: () => Promise<void>) => {
    setBusy(true);
    action().then(
      () => setBusy(false),
      (error: unknown) => {
        setBusy(false);
        setFailed(error instanceof Error ? error.message : String(error));
      },
    );
  };

  return (
    <Dialog
      title={`Verify ${name}`}
      description={`Compare this number with the one ${name} sees for you, in person or on a call you trust. If they are the same, nobody can listen in between you.`}
      onClose={onClose}
      wide
      footer={
        <>
          {onRemove && (
            <button type="button" className="button button--ghost" disabled={busy} onClick={() => act(onRemove)}>
              Remove from contacts
            </button>
          )}
          {onVerified && verified !== undefined && (
            <button
              type="button"
              className={`button ${verified ? 'button--secondary' : 'button--primary'}`}
              disabled={busy || number === null}
              onClick={() => act(() => onVerified(!verified))}
            >
              {verified ? 'Mark as not verified' : 'Mark as verified'}
            </button>
          )}
        </>
      }
    >
      {number ? (
        <div className="safety">
          <div className="safety__number" role="group" aria-label={`Safety number with ${name}`}>
            {number.rows.map((row, i) => (
              <p key={i} className="safety__row">
                {row.map((group, j) => (
                  <span key={j} className="safety__group">
                    {group}
                  </span>
                ))}
              </p>
            ))}
          </div>
          <QrCode text={number.qrText} label={`QR code of the safety number with ${name}`} size={160} />
        </div>
      ) : (
        !failed && <p className="field__hint">Computing…</p>
      )}
      {verified && <p className="safety__verified">You marked {name} as verified.</p>}
      <div className="field">
        <label className="field__label" htmlFor={compareId}>
          The number {name} reads to you
        </label>
        <input
          id={compareId}
          className="field__input"
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
        {COMPARISON_TEXT[comparison] && (
          <p className={comparison === 'match' ? 'field__hint' : 'field__error'} role="status">
            {COMPARISON_TEXT[comparison]}
          </p>
        )}
      </div>
      {failed && (
        <p className="field__error" role="alert">
          {failed}
        </p>
      )}
    </Dialog>
  );
}
