/** Signal bars on a tile: good, fair or poor, from loss and round-trip time (callStats.qualityOf). */
import SignalHigh from 'lucide-react/icons/signal-high';
import SignalLow from 'lucide-react/icons/signal-low';
import SignalMedium from 'lucide-react/icons/signal-medium';
import Signal from 'lucide-react/icons/signal';
import type { Quality } from '../../call/featureTypes';
import { QUALITY_TEXT } from '../../state/statsText';

const ICONS = { good: SignalHigh, fair: SignalMedium, poor: SignalLow, unknown: Signal } as const;

export function QualityMark({ quality }: { quality: Quality }) {
  const Icon = ICONS[quality];
  return (
    <span
      className={`quality quality--${quality}`}
      role="img"
      aria-label={QUALITY_TEXT[quality]}
      title={QUALITY_TEXT[quality]}
      data-testid="quality"
      data-quality={quality}
    >
      <Icon size={14} aria-hidden="true" />
    </span>
  );
}
