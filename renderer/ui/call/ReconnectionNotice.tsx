/** In the call header: "Reconnecting…" while a connection of the call is being restored. */
import RefreshCw from 'lucide-react/icons/refresh-cw';
import type { CallView } from '../../call/types';
import { reconnectionNotice } from '../../state/callText';

export function ReconnectionNotice({ view }: { view: Extract<CallView, { phase: 'active' }> }) {
  const text = reconnectionNotice(view);
  // Always mounted, so that screen readers announce the change when it appears.
  return (
    <span className="in-call__reconnecting" role="status">
      {text && (
        <>
          <RefreshCw size={14} aria-hidden="true" className="in-call__reconnecting-icon" />
          {text}
        </>
      )}
    </span>
  );
}
