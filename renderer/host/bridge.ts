/**
 * The one place the renderer finds its host: the desktop preload's `window.parley`
 * when present, otherwise the browser host built from this page's browser APIs.
 */
import { BRIDGE, type ParleyBridge } from '../../preload/contract';
import { createWebHost, type NotificationPort, type WebHostOptions, type WebNotificationControl } from './web';
import { log } from '../log';
import { createMemoryStorage } from './webStorage';

declare global {
  interface Window {
    /** Set by the desktop preload (contextBridge.exposeInMainWorld). */
    parley?: unknown;
  }
}

export interface Host {
  bridge: ParleyBridge;
  /** Browser-only controls; null on the desktop, where main owns notifications. */
  webNotifications: WebNotificationControl | null;
}

/** The preload exposes every method of the contract's table; anything less is not it. */
function isBridge(value: unknown): value is ParleyBridge {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return Object.keys(BRIDGE).every((name) => typeof record[name] === 'function');
}

/** Site data may be blocked (privacy settings): then nothing is kept, but the app works. */
function storageOr(get: () => Storage): Storage {
  try {
    const storage = get();
    storage.getItem('parley.probe');
    return storage;
  } catch (error) {
    log.child('host.web').warn('site data is blocked: settings, favourites and history are kept for this page only', error);
    return createMemoryStorage();
  }
}

function browserNotifications(): NotificationPort | null {
  if (typeof Notification === 'undefined') return null;
  return {
    permission: () => Notification.permission,
    request: () => Notification.requestPermission(),
    show(title, options, onClick) {
      const notification = new Notification(title, options);
      notification.addEventListener('click', onClick);
      return notification;
    },
  };
}

function platformName(): string {
  const withHints = navigator as Navigator & { userAgentData?: { platform?: string } };
  return withHints.userAgentData?.platform || navigator.platform || 'web';
}

export function browserHostOptions(version: string): WebHostOptions {
  return {
    storage: storageOr(() => window.localStorage),
    tabStorage: storageOr(() => window.sessionStorage),
    origin: window.location.origin,
    version,
    platform: platformName(),
    notifications: browserNotifications(),
    page: {
      setTitle: (title) => {
        document.title = title;
      },
      focus: () => window.focus(),
      isAttended: () => document.visibilityState === 'visible' && document.hasFocus(),
      open: (url) => {
        window.open(url, '_blank', 'noopener,noreferrer');
      },
    },
  };
}

export function getHost(version: string): Host {
  if (isBridge(window.parley)) return { bridge: window.parley, webNotifications: null };
  const web = createWebHost(browserHostOptions(version));
  return { bridge: web.bridge, webNotifications: web.notifications };
}
