/**
 * Settings → Calls from people not in your contacts: ring as usual, ask first (a
 * quiet request, no ringtone, and nothing connects before Accept), or refuse (the
 * server tells the caller the call was refused). Sent to the server with the
 * contact list (`contacts:set`) and in every handshake.
 */
import { useId, useState } from 'react';
import type { StrangerCalls } from '../../../signaling-server/protocol';

interface StrangerCallsSettingsProps {
  strangerCalls: StrangerCalls;
  onStrangerCalls(choice: StrangerCalls): Promise<void>;
}

const CHOICES: { value: StrangerCalls; label: string; hint: string }[] = [
  { value: 'ask', label: 'Ask me first', hint: 'A quiet request without a ringtone; the call connects only if you accept.' },
  { value: 'ring', label: 'Ring as usual', hint: 'Anyone on this server who knows your id can ring you.' },
  { value: 'refuse', label: 'Refuse', hint: 'The caller is told you do not take their call; you see nothing.' },
];

export function StrangerCallsSettings({ strangerCalls, onStrangerCalls }: StrangerCallsSettingsProps) {
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
        setError(`The setting was not saved: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  };

  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        Calls from people not in your contacts
      </h3>
      <div role="radiogroup" aria-labelledby={`${id}-title`} className="settings-choices">
        {CHOICES.map((choice) => (
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
