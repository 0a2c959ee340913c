/**
 * Parley's root: opens this device's keys (renderer/identity) and loads what the
 * host keeps (settings, favourites, history, what the move to keys set aside), then
 * shows the first-run form until there is a valid name, and the app after.
 */
import { useEffect, useLayoutEffect, useMemo, useState } from 'react';
import type { Host } from '../host/bridge';
import type { DeviceIdentity } from '../identity/deviceIdentity';
import { KeyStoreError } from '../identity/keyStore';
import { pageKeyStore } from '../identity/pageKeyStore';
import { applyLanguageChoice, resolveLanguage, t as translate, useT } from '../i18n';
import { log } from '../log';
import { createRingtone } from '../media/ringtone';
import { checkDisplayName } from '../state/displayName';
import { createFavouritesStore } from '../state/favouritesStore';
import { createHistoryStore } from '../state/historyStore';
import { createSettingsStore } from '../state/settingsStore';
import { serverLabel } from '../state/connectionText';
import { createToastStore, type ToastStore } from '../state/toasts';
import { FirstRun } from './FirstRun';
import { Logo } from './Logo';
import { ServicesContext, useServices, useStore, type Services } from './services';
import { Shell } from './Shell';
import { applyTheme } from './settings/theme';
import { Toasts } from './Toasts';
import { hostNoticeText } from '../state/hostNoticeText';

type Boot = { state: 'loading' } | { state: 'ready'; services: Services } | { state: 'failed'; message: string };

async function loadServices(
  host: Host,
  toasts: ToastStore,
  replaceIdentity: (identity: DeviceIdentity) => void,
): Promise<Services> {
  const { bridge } = host;
  const appInfo = await bridge.getAppInfo();
  const keys = pageKeyStore(appInfo.host);
  const [opened, settings, favourites, history, legacy] = await Promise.all([
    keys.open(),
    bridge.getSettings(),
    bridge.getFavourites(),
    bridge.getHistory(),
    bridge.getLegacy(),
  ]);
  // Before the first render, so the app never shows a frame in the wrong language (its
  // strings may load first: renderer/i18n). A failed load is logged there and told by Main.
  await applyLanguageChoice(settings.language);
  const onError = (message: string): void => void toasts.push({ level: 'error', message });
  return {
    bridge,
    webNotifications: host.webNotifications,
    appInfo,
    identity: opened.identity,
    keys,
    replaceIdentity,
    legacy,
    settings: createSettingsStore(bridge, settings),
    favourites: createFavouritesStore(bridge, favourites, onError),
    history: createHistoryStore(bridge, history, onError),
    toasts,
    ringtone: createRingtone(),
  };
}

export function App({ host }: { host: Host }) {
  const toasts = useMemo(() => createToastStore(), []);
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });
  const { t } = useT();

  useEffect(() => host.bridge.onNotice((notice) => void toasts.push({ level: notice.level, message: hostNoticeText(notice) })), [host, toasts]);

  useEffect(() => {
    let cancelled = false;
    // After linking, the app goes on as the linked identity: a new services value, so the session reconnects.
    const replaceIdentity = (identity: DeviceIdentity): void =>
      setBoot((current) => (current.state === 'ready' ? { state: 'ready', services: { ...current.services, identity } } : current));
    loadServices(host, toasts, replaceIdentity).then(
      (services) => !cancelled && setBoot({ state: 'ready', services }),
      (error: unknown) => {
        if (cancelled) return;
        log.child('ui').error('Parley could not start', error);
        setBoot({
          state: 'failed',
          // A missing secure page or key storage is said as it is; anything else is about loading.
          message:
            error instanceof KeyStoreError
              ? error.message
              : t('app.loadFailed', { reason: error instanceof Error ? error.message : String(error) }),
        });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [host, toasts]);

  useEffect(() => {
    if (boot.state !== 'ready') return;
    const { ringtone } = boot.services;
    const offUnlock = ringtone.unlockOnGesture(window);
    return () => {
      offUnlock();
      ringtone.dispose();
    };
  }, [boot]);

  if (boot.state === 'loading') {
    return (
      <div className="splash" aria-busy="true">
        <Logo size={56} />
        <span className="visually-hidden">{t('app.loading')}</span>
      </div>
    );
  }
  if (boot.state === 'failed') {
    return (
      <div className="splash" role="alert">
        <Logo size={56} />
        <p className="splash__error">{boot.message}</p>
        <button type="button" className="button button--primary" onClick={() => window.location.reload()}>
          {t('app.tryAgain')}
        </button>
      </div>
    );
  }
  return (
    <ServicesContext.Provider value={boot.services}>
      <Main />
      <ToastLayer toasts={toasts} />
    </ServicesContext.Provider>
  );
}

/** Toasts outside the shell too, so first-run notices (a reset settings file) show. */
function ToastLayer({ toasts }: { toasts: ToastStore }) {
  const list = useStore(toasts);
  return <Toasts toasts={list} onDismiss={toasts.dismiss} />;
}

function Main() {
  const services = useServices();
  const settings = useStore(services.settings);
  const named = checkDisplayName(settings.displayName).ok;
  // A choice in Settings applies at once, without a reload; strings that fail to load leave English, and say so.
  useEffect(() => {
    void applyLanguageChoice(settings.language).then((language) => {
      if (language !== resolveLanguage(settings.language)) services.toasts.push({ level: 'error', message: translate('app.languageNotLoaded') });
    });
  }, [settings.language, services]);
  // Settings → Appearance: at once, and before paint so no frame shows the old theme (issue 16.4).
  useLayoutEffect(() => applyTheme(settings.theme), [settings.theme]);
  const [endpoint, setEndpoint] = useState<string | null>(null);

  useEffect(() => {
    if (named) return;
    services.bridge.getServerEndpoint().then(
      (e) => setEndpoint(e.urls[0] ? serverLabel(e.urls[0]) : null),
      () => setEndpoint(null),
    );
  }, [services, named]);

  const saveName = async (displayName: string): Promise<void> => {
    // Asked inside the click that submits the form: browsers only show the
    // permission prompt for a user gesture, and this is when calls start to matter.
    if (services.webNotifications?.permission() === 'default') {
      void services.webNotifications
        .request()
        .catch((error: unknown) => log.child('ui').info('the notification permission prompt failed; calls ring in the window only', error));
    }
    await services.settings.update({ displayName });
  };

  if (!named) return <FirstRun initialName={settings.displayName} serverLabel={endpoint} onSubmit={saveName} />;
  return <Shell />;
}

