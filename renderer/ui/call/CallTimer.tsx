/** mm:ss since the call connected. role="timer" is not announced on every tick. */
import { formatTimer } from '../../state/history';
import { useNow } from '../useNow';

export function CallTimer({ connectedAt }: { connectedAt: number | null }) {
  const now = useNow(500);
  return (
    <span className="call-timer" role="timer" aria-label="Call duration">
      {connectedAt === null ? 'Connecting…' : formatTimer(Math.max(0, now - connectedAt))}
    </span>
  );
}
