/** A read-only field with a Copy button: an invite link or code, selectable by hand when the clipboard refuses. */
import { useId, useState } from 'react';
import { useT } from '../../i18n';
import { log } from '../../log';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (error) {
    // The field stays selectable: the person copies it by hand, and the hint says so.
    log.child('ui.contacts').info('the clipboard refused the text; it can be copied from the field', error);
    return false;
  }
}

export function CopyField({ label, value, hint }: { label: string; value: string; hint?: string }) {
  const { t } = useT();
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <div className="copy-field">
        <input id={id} className="field__input copy-field__input" readOnly value={value} spellCheck={false} onFocus={(e) => e.target.select()} />
        <button
          type="button"
          className="button button--secondary button--small"
          aria-label={t('copyField.copyWhat', { label: label.toLowerCase() })}
          onClick={() => void copyText(value).then((ok) => setCopied(ok ? 'yes' : 'no'))}
        >
          {copied === 'yes' ? t('copyField.copied') : t('copyField.copy')}
        </button>
      </div>
      {(hint || copied === 'no') && (
        <p className="field__hint">{copied === 'no' ? t('copyField.blocked') : hint}</p>
      )}
    </div>
  );
}
