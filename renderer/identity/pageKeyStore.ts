/** The key store over this page's own browser APIs (IndexedDB, WebCrypto, Web Locks, sessionStorage). */
import { toBase64url } from '../../signaling-server/identity';
import { createMemoryStorage } from '../host/webStorage';
import { log } from '../log';
import { createKeyStore, type HoldLock, type KeyStore } from './keyStore';

/** The locks this page holds already (a second open() of the store in one page, as React's StrictMode does, keeps its slot). */
const heldHere = new Set<string>();

/** Holds a Web Lock until the page goes away; false when another page holds it. */
function webLock(): HoldLock | null {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (locks === undefined) return null;
  return async (name) => {
    if (heldHere.has(name)) return true;
    const held = await new Promise<boolean>((resolve, reject) => {
      locks
        .request(name, { ifAvailable: true }, (lock) => {
          resolve(lock !== null);
          // Kept for the life of the page: the promise never settles.
          return lock === null ? undefined : new Promise<void>(() => {});
        })
        .catch(reject);
    });
    if (held) heldHere.add(name);
    return held;
  };
}

export function pageKeyStore(host: 'desktop' | 'web'): KeyStore {
  const secure = typeof isSecureContext === 'boolean' ? isSecureContext : false;
  let tabStorage: Storage | null = null;
  if (host === 'web') {
    try {
      tabStorage = window.sessionStorage;
    } catch (error) {
      log.child('identity.keys').warn('sessionStorage is blocked: this tab takes a new device key after every reload', error);
    }
  }
  const holdLock = host === 'web' ? webLock() : null;
  if (host === 'web' && holdLock === null) {
    log.child('identity.keys').warn('this browser has no Web Locks: two tabs opened from one another may share a device key slot');
  }
  return createKeyStore({
    indexedDB: typeof indexedDB !== 'undefined',
    subtle: globalThis.crypto?.subtle,
    secure,
    tab:
      host === 'web'
        ? {
            storage: tabStorage ?? createMemoryStorage(),
            holdLock,
            newSlotId: () => toBase64url(crypto.getRandomValues(new Uint8Array(12))),
          }
        : null,
  });
}
