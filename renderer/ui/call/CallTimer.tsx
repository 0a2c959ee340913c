/** mm:ss since the call connected. role="timer" is not announced on every tick. */
import { formatTimer } from '../../state/history';
import { useT } from '../../i18n';
import { useNow } from '../useNow';

export function CallTimer({ connectedAt }: { connectedAt: number | null }) {
  const now = useNow(500);
  const { t } = useT();
  return (
    <span className="call-timer" role="timer" aria-label={t('call.duration')}>
      {connectedAt === null ? t('call.connecting') : formatTimer(Math.max(0, now - connectedAt))}
    </span>
  );
}
