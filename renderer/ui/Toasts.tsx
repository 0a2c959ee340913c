/** Notices from the host and errors from actions, stacked in a corner. */
import CircleAlert from 'lucide-react/icons/circle-alert';
import Info from 'lucide-react/icons/info';
import TriangleAlert from 'lucide-react/icons/triangle-alert';
import X from 'lucide-react/icons/x';
import type { Toast } from '../state/toasts';
import { useT } from '../i18n';

const ICONS = { info: Info, warning: TriangleAlert, error: CircleAlert } as const;

export function Toasts({ toasts, onDismiss }: { toasts: readonly Toast[]; onDismiss(id: number): void }) {
  const { t } = useT();
  return (
    <section className="toasts" aria-label={t('toasts.region')}>
      {toasts.map((toast) => {
        const Icon = ICONS[toast.level];
        return (
          <div key={toast.id} className={`toast toast--${toast.level}`} role={toast.level === 'error' ? 'alert' : 'status'}>
            <Icon className="toast__icon" size={18} aria-hidden="true" />
            <p className="toast__message">{toast.message}</p>
            <button type="button" className="icon-button icon-button--small" aria-label={t('toasts.dismiss')} onClick={() => onDismiss(toast.id)}>
              <X size={16} aria-hidden="true" />
            </button>
          </div>
        );
      })}
    </section>
  );
}
