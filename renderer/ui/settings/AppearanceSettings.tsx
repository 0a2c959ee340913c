/**
 * Settings → Appearance (issue 16.4): like the system, light or dark
 * (settings.theme). Applied at once by App (theme.ts); put back and said if the
 * host could not store it.
 */
import { useId } from 'react';
import { themeChoiceSchema, type ThemeChoice } from '../../../preload/contract';
import { useT } from '../../i18n';
import { log } from '../../log';
import { useServices, useStore } from '../services';
import { SettingsSection, useSavedChoice } from './SavedSetting';
import { hostErrorText } from './shortcutKeys';
import '../styles/app-settings.css';

export function AppearanceSettings() {
  const { t } = useT();
  const services = useServices();
  const settings = useStore(services.settings);
  const id = useId();
  const theme = useSavedChoice(
    settings.theme,
    (choice: ThemeChoice) => services.settings.update({ theme: choice }),
    (e) => t('settings.notSaved', { reason: hostErrorText(e) }),
    'the theme choice',
  );

  const choose = (value: string): void => {
    const parsed = themeChoiceSchema.safeParse(value);
    if (!parsed.success) {
      log.child('ui.settings').warn('an unknown theme choice was ignored', { value });
      return;
    }
    theme.choose(parsed.data);
  };

  const options: ReadonlyArray<{ value: ThemeChoice; label: string }> = [
    { value: 'system', label: t('settings.appearance.system') },
    { value: 'light', label: t('settings.appearance.light') },
    { value: 'dark', label: t('settings.appearance.dark') },
  ];

  return (
    <SettingsSection id={id} title={t('settings.appearance.title')} hint={t('settings.appearance.hint')} error={theme.error}>
      <fieldset className="settings-choice" aria-describedby={`${id}-hint`}>
        <legend className="field__label">{t('settings.appearance.theme')}</legend>
        {options.map((option) => (
          <label key={option.value} className="settings-toggle">
            <input
              type="radio"
              name={`${id}-theme`}
              value={option.value}
              checked={theme.current === option.value}
              onChange={(e) => choose(e.target.value)}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </fieldset>
    </SettingsSection>
  );
}
