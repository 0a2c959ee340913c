/** What every screen may use, handed down once through React context. */
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { AppInfo, LegacyRecord, ParleyBridge } from '../../preload/contract';
import type { WebNotificationControl } from '../host/web';
import type { DeviceIdentity } from '../identity/deviceIdentity';
import type { KeyStore } from '../identity/keyStore';
import type { Ringtone } from '../media/ringtone';
import type { FavouritesStore } from '../state/favouritesStore';
import type { HistoryStore } from '../state/historyStore';
import type { SettingsStore } from '../state/settingsStore';
import type { ReadableStore } from '../state/store';
import type { ToastStore } from '../state/toasts';

export interface Services {
  bridge: ParleyBridge;
  webNotifications: WebNotificationControl | null;
  appInfo: AppInfo;
  /** This device's identity (its keys stay inside): userId, deviceId, credential, signatures. */
  identity: DeviceIdentity;
  /** Where the keys are kept; linking stores the certificate it receives there. */
  keys: KeyStore;
  /** Moves the app onto another identity (after linking): the session reconnects as it. */
  replaceIdentity(identity: DeviceIdentity): void;
  /** What the move to keys set aside (favourites and blocked people of old ids), or null. */
  legacy: LegacyRecord | null;
  settings: SettingsStore;
  favourites: FavouritesStore;
  history: HistoryStore;
  toasts: ToastStore;
  ringtone: Ringtone;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices() outside <ServicesContext.Provider>');
  return services;
}

export function useStore<T>(store: ReadableStore<T>): T {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
