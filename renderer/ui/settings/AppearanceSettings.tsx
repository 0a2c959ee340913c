/**
 * Settings → Appearance (issue 16.4): like the system, light or dark
 * (settings.theme). Applied at once by App (theme.ts); put back and said if the
 * host could not store it.
 */
import { useId, useState } from 'react';
import { themeChoiceSchema, type ThemeChoice } from '../../../preload/contract';
import { useT } from '../../i18n';
import { log } from '../../log';
import { useServices, useStore } from '../services';
import { hostErrorText } from './shortcutKeys';
import '../styles/app-settings.css';

export function AppearanceSettings() {
  const { t } = useT();
  const services = useServices();
  const settings = useStore(services.settings);
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  // Shown at once while the host stores it; put back if it could not.
  const [shown, setShown] = useState<ThemeChoice | null>(null);

  const choose = (value: string): void => {
    const parsed = themeChoiceSchema.safeParse(value);
    if (!parsed.success) {
      log.child('ui.settings').warn('an unknown theme choice was ignored', { value });
      return;
    }
    setError(null);
    setShown(parsed.data);
    services.settings.update({ theme: parsed.data }).then(
      () => setShown(null),
      (e: unknown) => {
        setShown(null);
        log.child('ui.settings').error('the theme choice was not saved', e);
        setError(t('settings.notSaved', { reason: hostErrorText(e) }));
      },
    );
  };

  const options: ReadonlyArray<{ value: ThemeChoice; label: string }> = [
    { value: 'system', label: t('settings.appearance.system') },
    { value: 'light', label: t('settings.appearance.light') },
    { value: 'dark', label: t('settings.appearance.dark') },
  ];

  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        {t('settings.appearance.title')}
      </h3>
      <fieldset className="settings-choice" aria-describedby={`${id}-hint`}>
        <legend className="field__label">{t('settings.appearance.theme')}</legend>
        {options.map((option) => (
          <label key={option.value} className="settings-toggle">
            <input
              type="radio"
              name={`${id}-theme`}
              value={option.value}
              checked={(shown ?? settings.theme) === option.value}
              onChange={(e) => choose(e.target.value)}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </fieldset>
      <p id={`${id}-hint`} className="field__hint">
        {t('settings.appearance.hint')}
      </p>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
