/** Live statistics over a participant's tile (toggled from the call controls). */
import type { StatsDigest } from '../../call/featureTypes';
import { statsLines } from '../../state/statsText';

export function StatsOverlay({ digest, name }: { digest: StatsDigest | undefined; name: string }) {
  return (
    <dl className="stats-overlay" data-testid="stats-overlay" aria-label={`Connection statistics for ${name}`}>
      {digest ? (
        statsLines(digest).map((line) => (
          <div key={line.label} className="stats-overlay__row">
            <dt>{line.label}</dt>
            <dd data-stat={line.label}>{line.value}</dd>
          </div>
        ))
      ) : (
        <div className="stats-overlay__row">
          <dt>Statistics</dt>
          <dd>Collecting…</dd>
        </div>
      )}
    </dl>
  );
}
