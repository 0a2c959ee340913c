/** First run: choose the name others see, then connect. The form is shared with "change name". */
import { useId, useState, type FormEvent } from 'react';
import { checkDisplayName } from '../state/displayName';
import { Logo } from './Logo';

interface NameFormProps {
  initialName: string;
  submitLabel: string;
  onSubmit(name: string): Promise<void>;
  onCancel?: () => void;
}

/** The display-name field with its inline validation message and the buttons. */
export function NameForm({ initialName, submitLabel, onSubmit, onCancel }: NameFormProps) {
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
      setSaveError(`Could not save your name: ${error instanceof Error ? error.message : String(error)}`);
      setSaving(false);
    }
  };

  return (
    <form className="name-form" onSubmit={(e) => void submit(e)} noValidate>
      <label className="field__label" htmlFor={inputId}>
        Your display name
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
          Up to 40 letters, digits, spaces and . &apos; _ ( ) -
        </p>
      )}
      <div className="name-form__actions">
        {onCancel && (
          <button type="button" className="button button--secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="button button--primary" disabled={saving}>
          {saving ? 'Saving…' : submitLabel}
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
  return (
    <main className="first-run">
      <div className="first-run__card">
        <Logo size={48} />
        <h1 className="first-run__title">Welcome to Parley</h1>
        <p className="first-run__lead">
          Call anyone on your Parley server — audio or video, one to one or in a small group. First, tell people who
          you are.
        </p>
        <NameForm initialName={initialName} submitLabel="Continue" onSubmit={onSubmit} />
        {serverLabel && <p className="first-run__server">You will connect to {serverLabel}.</p>}
      </div>
    </main>
  );
}
