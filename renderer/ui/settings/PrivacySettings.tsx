/**
 * Settings → Privacy: relay every call through the server's TURN relay, so the
 * people called never learn this device's IP address (the call engine then asks
 * for relayed ICE candidates only: iceTransportPolicy 'relay').
 */
import { useId, useState } from 'react';
import { useT } from '../../i18n';

interface PrivacySettingsProps {
  relayOnly: boolean;
  onRelayOnly(on: boolean): Promise<void>;
}

export function PrivacySettings({ relayOnly, onRelayOnly }: PrivacySettingsProps) {
  const { t } = useT();
  const id = useId();
  // Shown at once, and put back if the host could not store it.
  const [shown, setShown] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const checked = shown ?? relayOnly;

  const toggle = (on: boolean): void => {
    setShown(on);
    setError(null);
    onRelayOnly(on).then(
      () => setShown(null),
      (e: unknown) => {
        setShown(null);
        setError(t('settings.notSaved', { reason: e instanceof Error ? e.message : String(e) }));
      },
    );
  };

  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        {t('privacySettings.title')}
      </h3>
      <label className="settings-toggle">
        <input
          type="checkbox"
          checked={checked}
          disabled={shown !== null}
          aria-describedby={`${id}-hint`}
          onChange={(e) => toggle(e.target.checked)}
        />
        <span>{t('privacySettings.relayOnly')}</span>
      </label>
      <p id={`${id}-hint`} className="field__hint">
        {t('privacySettings.hint')}
      </p>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
