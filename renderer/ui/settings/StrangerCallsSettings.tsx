/**
 * Settings → Calls from people not in your contacts: ring as usual, ask first (a
 * quiet request, no ringtone, and nothing connects before Accept), or refuse (the
 * server tells the caller the call was refused). Sent to the server with the
 * contact list (`contacts:set`) and in every handshake.
 */
import { useId, useState } from 'react';
import type { StrangerCalls } from '../../../signaling-server/protocol';
import { useT } from '../../i18n';

interface StrangerCallsSettingsProps {
  strangerCalls: StrangerCalls;
  onStrangerCalls(choice: StrangerCalls): Promise<void>;
}

const CHOICES = ['ask', 'ring', 'refuse'] as const satisfies readonly StrangerCalls[];

export function StrangerCallsSettings({ strangerCalls, onStrangerCalls }: StrangerCallsSettingsProps) {
  const { t } = useT();
  const id = useId();
  const [shown, setShown] = useState<StrangerCalls | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = shown ?? strangerCalls;

  const choose = (choice: StrangerCalls): void => {
    setShown(choice);
    setError(null);
    onStrangerCalls(choice).then(
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
        {t('strangerCalls.title')}
      </h3>
      <div role="radiogroup" aria-labelledby={`${id}-title`} className="settings-choices">
        {CHOICES.map((value) => ({ value, label: t(`strangerCalls.${value}.label`), hint: t(`strangerCalls.${value}.hint`) })).map((choice) => (
          <label key={choice.value} className="settings-toggle">
            <input
              type="radio"
              name={`${id}-strangers`}
              value={choice.value}
              checked={current === choice.value}
              disabled={shown !== null}
              aria-describedby={`${id}-${choice.value}`}
              onChange={() => choose(choice.value)}
            />
            <span>
              {choice.label}
              <span id={`${id}-${choice.value}`} className="field__hint settings-choices__hint">
                {' '}
                — {choice.hint}
              </span>
            </span>
          </label>
        ))}
      </div>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
