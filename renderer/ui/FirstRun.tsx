/** First run: choose the name others see, then connect. The form is shared with "change name". */
import { useId, useState, type FormEvent } from 'react';
import { checkDisplayName } from '../state/displayName';
import { useT } from '../i18n';
import { Logo } from './Logo';

interface NameFormProps {
  initialName: string;
  submitLabel: string;
  onSubmit(name: string): Promise<void>;
  onCancel?: () => void;
}

/** The display-name field with its inline validation message and the buttons. */
export function NameForm({ initialName, submitLabel, onSubmit, onCancel }: NameFormProps) {
  const { t } = useT();
  const [value, setValue] = useState(initialName);
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const inputId = useId();
  const errorId = useId();
  const hintId = useId();
  const check = checkDisplayName(value);
  const message = touched && !check.ok ? check.message : saveError;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setTouched(true);
    if (!check.ok) return;
    setSaving(true);
    setSaveError(null);
    try {
      await onSubmit(check.name);
    } catch (error) {
      setSaveError(t('firstRun.saveFailed', { reason: error instanceof Error ? error.message : String(error) }));
      setSaving(false);
    }
  };

  return (
    <form className="name-form" onSubmit={(e) => void submit(e)} noValidate>
      <label className="field__label" htmlFor={inputId}>
        {t('firstRun.nameLabel')}
      </label>
      <input
        id={inputId}
        className={`field__input${message ? ' field__input--invalid' : ''}`}
        value={value}
        autoFocus
        autoComplete="name"
        spellCheck={false}
        maxLength={80}
        aria-invalid={message ? true : undefined}
        aria-describedby={message ? errorId : hintId}
        onChange={(e) => {
          setValue(e.target.value);
          setSaveError(null);
        }}
        onBlur={() => value.trim() !== '' && setTouched(true)}
      />
      {message ? (
        <p id={errorId} className="field__error" role="alert">
          {message}
        </p>
      ) : (
        <p id={hintId} className="field__hint">
          {t('firstRun.nameHint')}
        </p>
      )}
      <div className="name-form__actions">
        {onCancel && (
          <button type="button" className="button button--secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
        <button type="submit" className="button button--primary" disabled={saving}>
          {saving ? t('firstRun.saving') : submitLabel}
        </button>
      </div>
    </form>
  );
}

interface FirstRunProps {
  initialName: string;
  /** Where Parley will connect, shown so the person knows. */
  serverLabel: string | null;
  onSubmit(name: string): Promise<void>;
}

export function FirstRun({ initialName, serverLabel, onSubmit }: FirstRunProps) {
  const { t } = useT();
  return (
    <main className="first-run">
      <div className="first-run__card">
        <Logo size={48} />
        <h1 className="first-run__title">{t('firstRun.welcome')}</h1>
        <p className="first-run__lead">{t('firstRun.lead')}</p>
        <NameForm initialName={initialName} submitLabel={t('firstRun.continue')} onSubmit={onSubmit} />
        {serverLabel && <p className="first-run__server">{t('firstRun.server', { server: serverLabel })}</p>}
      </div>
    </main>
  );
}
