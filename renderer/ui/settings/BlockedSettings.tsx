/**
 * Settings → Blocked: the people whose calls do not ring here, each with Unblock.
 * The list lives in settings.blockedUserIds (blocking.ts); names come from who is
 * known now, or the id alone.
 */
import { useId } from 'react';
import type { BlockedPerson } from '../../state/blocking';

interface BlockedSettingsProps {
  people: readonly BlockedPerson[];
  onUnblock(person: BlockedPerson): void;
}

export function BlockedSettings({ people, onUnblock }: BlockedSettingsProps) {
  const id = useId();
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        Blocked
      </h3>
      {people.length === 0 ? (
        <p className="field__hint">Nobody. Block someone from their contact row, from History, or when they call.</p>
      ) : (
        <>
          <p className="field__hint">Their calls do not ring here. The server refuses them while you are online.</p>
          <ul className="blocked-list" aria-label="Blocked people">
            {people.map((person) => (
              <li key={person.userId} className="blocked-list__row">
                <span className="blocked-list__name">
                  {person.displayName ?? 'Unknown person'} <code className="blocked-list__id">{person.userId}</code>
                </span>
                <button
                  type="button"
                  className="button button--secondary button--small"
                  aria-label={`Unblock ${person.displayName ?? person.userId}`}
                  onClick={() => onUnblock(person)}
                >
                  Unblock
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
