/**
 * Shown when the tray asked to share a screen. Capturing needs a click inside the
 * window (the desktop's display-media handler refuses a request without a user
 * gesture, and browsers demand transient activation for getDisplayMedia), so the
 * call asks for that click instead of failing silently.
 */
import MonitorUp from 'lucide-react/icons/monitor-up';
import { useT } from '../../i18n';

export function SharePrompt({ onShare, onDismiss }: { onShare(): void; onDismiss(): void }) {
  const { t } = useT();
  return (
    <div className="in-call__notice" role="alert">
      <MonitorUp size={18} aria-hidden="true" />
      <span>{t('sharePrompt.question')}</span>
      <button type="button" className="button button--primary button--small" onClick={onShare}>
        {t('sharePrompt.choose')}
      </button>
      <button type="button" className="button button--ghost button--small" onClick={onDismiss}>
        {t('sharePrompt.notNow')}
      </button>
    </div>
  );
}
