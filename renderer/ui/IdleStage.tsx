/** The main stage when no call runs: what to do next, and (web) notifications. */
import { useState } from 'react';
import Bell from 'lucide-react/icons/bell';
import PhoneCall from 'lucide-react/icons/phone-call';
import type { WebNotificationControl } from '../host/web';
import { useT } from '../i18n';

interface IdleStageProps {
  name: string;
  online: boolean;
  notifications: WebNotificationControl | null;
}

export function IdleStage({ name, online, notifications }: IdleStageProps) {
  const { t } = useT();
  const [permission, setPermission] = useState(() => notifications?.permission() ?? 'granted');
  const [dismissed, setDismissed] = useState(false);
  const ask = notifications !== null && permission === 'default' && !dismissed;
  return (
    <section className="idle" aria-labelledby="idle-title">
      <span className="idle__art" aria-hidden="true">
        <PhoneCall size={40} />
      </span>
      <h2 id="idle-title" className="idle__title">
        {online ? t('idle.readyTitle', { name }) : t('idle.title', { name })}
      </h2>
      <p className="idle__text">
        {online ? t('idle.readyText') : t('idle.offlineText')}
      </p>
      {ask && (
        <div className="notice-card">
          <Bell size={20} aria-hidden="true" />
          <div className="notice-card__text">
            <strong>{t('idle.notifyTitle')}</strong>
            <span>{t('idle.notifyText')}</span>
          </div>
          <div className="notice-card__actions">
            <button type="button" className="button button--ghost button--small" onClick={() => setDismissed(true)}>
              {t('idle.notNow')}
            </button>
            <button
              type="button"
              className="button button--primary button--small"
              onClick={() => void notifications.request().then(setPermission, () => setDismissed(true))}
            >
              {t('idle.turnOn')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
