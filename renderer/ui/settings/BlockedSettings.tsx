/**
 * Settings → Blocked: the people whose calls do not ring here, each with Unblock.
 * The list lives in settings.blockedUserIds (blocking.ts); names come from who is
 * known now, or the id alone.
 */
import { useId } from 'react';
import { useT } from '../../i18n';
import type { BlockedPerson } from '../../state/blocking';

interface BlockedSettingsProps {
  people: readonly BlockedPerson[];
  onUnblock(person: BlockedPerson): void;
}

export function BlockedSettings({ people, onUnblock }: BlockedSettingsProps) {
  const { t } = useT();
  const id = useId();
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="settings-section__title">
        {t('blockedSettings.title')}
      </h3>
      {people.length === 0 ? (
        <p className="field__hint">{t('blockedSettings.nobody')}</p>
      ) : (
        <>
          <p className="field__hint">{t('blockedSettings.hint')}</p>
          <ul className="blocked-list" aria-label={t('blockedSettings.list')}>
            {people.map((person) => (
              <li key={person.userId} className="blocked-list__row">
                <span className="blocked-list__name">
                  {person.displayName ?? t('blockedSettings.unknownPerson')} <code className="blocked-list__id">{person.userId}</code>
                </span>
                <button
                  type="button"
                  className="button button--secondary button--small"
                  aria-label={t('blockedSettings.unblockWho', { name: person.displayName ?? person.userId })}
                  onClick={() => onUnblock(person)}
                >
                  {t('blockedSettings.unblock')}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
