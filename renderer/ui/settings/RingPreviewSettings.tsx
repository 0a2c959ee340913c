/**
 * Settings → Ringing: my camera on the ringing card while a call rings (issue 15).
 * On (the default), the camera starts with the ring, is shown only to me, sends
 * nothing before Accept, and Accept reuses it (no camera start at Accept). Off, no
 * camera runs before Accept.
 */
import { useId, useState } from 'react';
import { useT } from '../../i18n';

interface RingPreviewSettingsProps {
  ringPreview: boolean;
  onRingPreview(on: boolean): Promise<void>;
}

export function RingPreviewSettings({ ringPreview, onRingPreview }: RingPreviewSettingsProps) {
  const { t } = useT();
  const id = useId();
  // Shown at once, and put back if the host could not store it.
  const [shown, setShown] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const checked = shown ?? ringPreview;

  const toggle = (on: boolean): void => {
    setShown(on);
    setError(null);
    onRingPreview(on).then(
      () => setShown(null),
      (e: unknown) => {
        setShown(null);
        setError(t('ringPreview.notSaved', { reason: e instanceof Error ? e.message : String(e) }));
      },
    );
  };

  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        {t('ringPreview.title')}
      </h3>
      <label className="settings-toggle">
        <input
          type="checkbox"
          checked={checked}
          disabled={shown !== null}
          aria-describedby={`${id}-hint`}
          onChange={(e) => toggle(e.target.checked)}
        />
        <span>{t('ringPreview.label')}</span>
      </label>
      <p id={`${id}-hint`} className="field__hint">
        {t('ringPreview.hint')}
      </p>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
