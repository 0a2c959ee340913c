/** The main stage when no call runs: what to do next, and (web) notifications. */
import { useState } from 'react';
import Bell from 'lucide-react/icons/bell';
import PhoneCall from 'lucide-react/icons/phone-call';
import type { WebNotificationControl } from '../host/web';

interface IdleStageProps {
  name: string;
  online: boolean;
  notifications: WebNotificationControl | null;
}

export function IdleStage({ name, online, notifications }: IdleStageProps) {
  const [permission, setPermission] = useState(() => notifications?.permission() ?? 'granted');
  const [dismissed, setDismissed] = useState(false);
  const ask = notifications !== null && permission === 'default' && !dismissed;
  return (
    <section className="idle" aria-labelledby="idle-title">
      <span className="idle__art" aria-hidden="true">
        <PhoneCall size={40} />
      </span>
      <h2 id="idle-title" className="idle__title">
        {online ? `Hi ${name}, you're ready for calls` : `Hi ${name}`}
      </h2>
      <p className="idle__text">
        {online
          ? 'Choose someone in Contacts and press the phone or camera button to call them.'
          : 'Calls become possible as soon as Parley is connected to the server.'}
      </p>
      {ask && (
        <div className="notice-card">
          <Bell size={20} aria-hidden="true" />
          <div className="notice-card__text">
            <strong>Know when someone calls</strong>
            <span>Parley can show a notification when a call comes in while this tab is in the background.</span>
          </div>
          <div className="notice-card__actions">
            <button type="button" className="button button--ghost button--small" onClick={() => setDismissed(true)}>
              Not now
            </button>
            <button
              type="button"
              className="button button--primary button--small"
              onClick={() => void notifications.request().then(setPermission, () => setDismissed(true))}
            >
              Turn on notifications
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
