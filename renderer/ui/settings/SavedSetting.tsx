/**
 * What the Settings sections that store one choice through the host share: the
 * choice is shown at once while the host stores it, and put back and said (an
 * alert under the section) if the host could not (useSavedChoice); the section
 * itself (title, control, hint, error: SettingsSection); and the one-checkbox
 * section (ToggleSetting). Used by Appearance, Privacy and Ringing.
 */
import { useId, useState, type ReactNode } from 'react';
import { log } from '../../log';

export interface SavedChoice<T> {
  /** What the control shows: the choice being stored, else the stored one. */
  current: T;
  /** True while the host stores a choice. */
  saving: boolean;
  /** Why the last choice was not stored, in the person's words; null when it was. */
  error: string | null;
  choose(value: T): void;
}

/**
 * `save` stores a choice; `failed` words the reason it could not (shown in an
 * alert); `what` names the choice in the log ('the theme choice').
 */
export function useSavedChoice<T>(
  stored: T,
  save: (value: T) => Promise<unknown>,
  failed: (error: unknown) => string,
  what: string,
): SavedChoice<T> {
  const [shown, setShown] = useState<{ value: T } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const choose = (value: T): void => {
    setShown({ value });
    setError(null);
    save(value).then(
      () => setShown(null),
      (e: unknown) => {
        setShown(null);
        log.child('ui.settings').error(`${what} was not saved`, e);
        setError(failed(e));
      },
    );
  };

  return { current: shown === null ? stored : shown.value, saving: shown !== null, error, choose };
}

interface SettingsSectionProps {
  /** From useId: the title is `${id}-title`, the hint `${id}-hint` (for the control's aria-describedby). */
  id: string;
  title: string;
  hint?: string;
  error: string | null;
  children: ReactNode;
}

export function SettingsSection({ id, title, hint, error, children }: SettingsSectionProps) {
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        {title}
      </h3>
      {children}
      {hint !== undefined && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

interface ToggleSettingProps {
  title: string;
  label: string;
  hint: string;
  value: boolean;
  save(on: boolean): Promise<unknown>;
  failed(error: unknown): string;
  /** Names the choice in the log. */
  what: string;
}

/** A section with one checkbox, disabled while the host stores it. */
export function ToggleSetting({ title, label, hint, value, save, failed, what }: ToggleSettingProps) {
  const id = useId();
  const choice = useSavedChoice(value, save, failed, what);
  return (
    <SettingsSection id={id} title={title} hint={hint} error={choice.error}>
      <label className="settings-toggle">
        <input
          type="checkbox"
          checked={choice.current}
          disabled={choice.saving}
          aria-describedby={`${id}-hint`}
          onChange={(e) => choice.choose(e.target.checked)}
        />
        <span>{label}</span>
      </label>
    </SettingsSection>
  );
}
