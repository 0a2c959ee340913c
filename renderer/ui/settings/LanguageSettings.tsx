/**
 * Settings → Language: follow the system, English or Русский (settings.language).
 * Applied at once, without a reload (App follows the stored setting); put back and
 * said if the host could not store it.
 */
import { useId, useState } from 'react';
import { languageChoiceSchema, type LanguageChoice } from '../../../preload/contract';
import { pickLanguage, systemLanguages, useT } from '../../i18n';
import { log } from '../../log';
import { useServices, useStore } from '../services';

export function LanguageSettings() {
  const { t } = useT();
  const services = useServices();
  const settings = useStore(services.settings);
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const systemName = t(`settings.language.${pickLanguage(systemLanguages())}`);

  const choose = (value: string): void => {
    const parsed = languageChoiceSchema.safeParse(value);
    if (!parsed.success) {
      log.child('ui.settings').warn('an unknown language choice was ignored', { value });
      return;
    }
    setError(null);
    services.settings.update({ language: parsed.data }).catch((e: unknown) => {
      log.child('ui.settings').error('the language choice was not saved', e);
      setError(t('settings.notSaved', { reason: e instanceof Error ? e.message : String(e) }));
    });
  };

  const options: ReadonlyArray<{ value: LanguageChoice; label: string }> = [
    { value: 'system', label: t('settings.language.system', { language: systemName }) },
    { value: 'en', label: t('settings.language.en') },
    { value: 'ru', label: t('settings.language.ru') },
  ];

  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        {t('settings.language.label')}
      </h3>
      <div className="field">
        <label className="field__label" htmlFor={`${id}-select`}>
          {t('settings.language.choose')}
        </label>
        <select
          id={`${id}-select`}
          className="field__input"
          value={settings.language}
          onChange={(e) => choose(e.target.value)}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
