/**
 * "Verify <name>": our safety number in twelve groups of five digits and as a QR
 * code, a field to check what they read out, and "Mark as verified". Both sides
 * see the same number exactly when each has the other's real key.
 */
import { useEffect, useId, useState } from 'react';
import type { PublicKey } from '../../../signaling-server/identity';
import { compareSafetyNumber, safetyNumberOf, type SafetyNumber } from '../../contacts/safety';
import { t as translate, useT } from '../../i18n';
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
  match: 'safetyNumber.match',
  mismatch: 'safetyNumber.mismatch',
  incomplete: null,
} as const;

export function SafetyNumberDialog({ name, myKey, theirKey, verified, onVerified, onRemove, onClose }: SafetyNumberDialogProps) {
  const { t } = useT();
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
        if (!cancelled) setFailed(translate('safetyNumber.failed', { reason: error instanceof Error ? error.message : String(error) }));
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
      title={t('safetyNumber.title', { name })}
      description={t('safetyNumber.description', { name })}
      onClose={onClose}
      wide
      footer={
        <>
          {onRemove && (
            <button type="button" className="button button--ghost" disabled={busy} onClick={() => act(onRemove)}>
              {t('safetyNumber.remove')}
            </button>
          )}
          {onVerified && verified !== undefined && (
            <button
              type="button"
              className={`button ${verified ? 'button--secondary' : 'button--primary'}`}
              disabled={busy || number === null}
              onClick={() => act(() => onVerified(!verified))}
            >
              {verified ? t('safetyNumber.unmark') : t('safetyNumber.mark')}
            </button>
          )}
        </>
      }
    >
      {number ? (
        <div className="safety">
          <div className="safety__number" role="group" aria-label={t('safetyNumber.numberWith', { name })}>
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
          <QrCode text={number.qrText} label={t('safetyNumber.qr', { name })} size={160} />
        </div>
      ) : (
        !failed && <p className="field__hint">{t('safetyNumber.computing')}</p>
      )}
      {verified && <p className="safety__verified">{t('safetyNumber.verified', { name })}</p>}
      <div className="field">
        <label className="field__label" htmlFor={compareId}>
          {t('safetyNumber.theirNumber', { name })}
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
            {t(COMPARISON_TEXT[comparison])}
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
