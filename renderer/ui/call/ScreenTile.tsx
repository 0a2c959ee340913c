/** A shared screen: a large tile named for its owner ("Alice's screen"), shown whole, not cropped. */
import MonitorUp from 'lucide-react/icons/monitor-up';
import { useT } from '../../i18n';
import { useMediaElement } from './useMediaElement';

interface ScreenTileProps {
  stream: MediaStream;
  ownerName: string;
  userId: string;
}

export function ScreenTile({ stream, ownerName, userId }: ScreenTileProps) {
  const { t } = useT();
  const { ref, showing } = useMediaElement(stream, { muted: true });
  const label = t('screenTile.label', { name: ownerName });
  return (
    <div className="tile tile--screen" data-testid="screen-tile" data-user-id={userId} role="group" aria-label={label}>
      <video ref={ref} className="tile__video tile__video--contain" autoPlay playsInline muted data-testid="screen-video" data-user-id={userId} />
      {!showing && <div className="tile__status">{t('screenTile.loading', { name: ownerName })}</div>}
      <div className="tile__footer">
        <span className="tile__name">
          <MonitorUp size={14} aria-hidden="true" /> {label}
        </span>
      </div>
    </div>
  );
}
