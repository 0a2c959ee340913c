/** Live statistics over a participant's tile (toggled from the call controls). */
import type { StatsDigest } from '../../call/featureTypes';
import { statsLines } from '../../state/statsText';
import { useT } from '../../i18n';

export function StatsOverlay({ digest, name }: { digest: StatsDigest | undefined; name: string }) {
  const { t } = useT();
  return (
    <dl className="stats-overlay" data-testid="stats-overlay" aria-label={t('stats.overlay', { name })}>
      {digest ? (
        statsLines(digest).map((line) => (
          <div key={line.id} className="stats-overlay__row">
            <dt>{line.label}</dt>
            <dd data-stat={line.id}>{line.value}</dd>
          </div>
        ))
      ) : (
        <div className="stats-overlay__row">
          <dt>{t('stats.title')}</dt>
          <dd>{t('stats.collecting')}</dd>
        </div>
      )}
    </dl>
  );
}
