/**
 * The browser host: ParleyBridge implemented with browser APIs, for Parley served
 * by its signaling server to any browser.
 *
 * - settings, favourites, history: localStorage, parsed by the contract's schemas;
 * - identity: the keys live in IndexedDB (renderer/identity/keyStore.ts, one device
 *   per tab); what an older Parley kept here by made-up ids (`parley.user`) is set
 *   aside once, on the first start with keys (HostData.setAsideClaimedIds);
 * - incoming calls: the Notification API when the page is not in front;
 * - no tray: the call state shows in the document title;
 * - screen sharing: the browser's own picker (getDisplayMedia), never ours.
 *
 * Every browser object is passed in (WebHostOptions), so the logic runs in node tests.
 */
import {
  DEFAULT_SETTINGS,
  externalUrlSchema,
  fingerprintSchema,
  logEntrySchema,
  parseJoinLink,
  settingsSchema,
  type AppInfo,
  type CallAction,
  type CallRequest,
  type CallStateReport,
  type DiscoveredServer,
  type HostNotice,
  type HostedServer,
  type JoinRef,
  type ParleyBridge,
  type ScreenSourceRequest,
  type Settings,
} from '../../preload/contract';
import { z } from 'zod';
import { HostData } from '../../preload/hostData';
import { userIdSchema } from '../../signaling-server/protocol';
import { watchInviteHash } from '../contacts/invites';
import { t } from '../i18n';
import { log } from '../log';
import { createBrowserData } from './browserData';
import { readStored } from './webStorage';

export interface NotificationPort {
  permission(): NotificationPermission;
  request(): Promise<NotificationPermission>;
  show(title: string, options: NotificationOptions, onClick: () => void): { close(): void };
}

export interface PagePort {
  setTitle(title: string): void;
  focus(): void;
  /** The person is looking at this page now (visible and focused). */
  isAttended(): boolean;
  open(url: string): void;
}

export interface WebHostOptions {
  /** Kept across visits: localStorage. */
  storage: Storage;
  /** Kept across reloads of this tab only: sessionStorage. */
  tabStorage: Storage;
  origin: string;
  version: string;
  platform: string;
  /** The clock (ms since 1970); Date.now by default. */
  now?: () => number;
  notifications: NotificationPort | null;
  page: PagePort | null;
  /** The page's fetch (for /healthz); globalThis.fetch by default. */
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** Where ParleyBridge.log writes (default: the page's console). */
  console?: Pick<Console, 'debug' | 'info' | 'warn' | 'error'>;
}

/** What only the browser host offers: asking for notification permission at the right moment. */
export interface WebNotificationControl {
  permission(): NotificationPermission;
  request(): Promise<NotificationPermission>;
}

export interface WebHost {
  bridge: ParleyBridge;
  notifications: WebNotificationControl | null;
}

export const STORAGE_KEYS = {
  settings: 'parley.settings',
  user: 'parley.user',
  device: 'parley.device',
  favourites: 'parley.favourites',
  history: 'parley.history',
  legacy: 'parley.legacy',
} as const;

const TITLE_KEYS = {
  offline: 'browserHost.titleOffline',
  idle: 'browserHost.titleIdle',
  ringing: 'browserHost.titleRinging',
  dialing: 'browserHost.titleDialing',
  in_call: 'browserHost.titleInCall',
} as const satisfies Record<CallStateReport['phase'], string>;

/** The document title for a call phase, in the UI's language of the moment. */
export function titleFor(phase: CallStateReport['phase']): string {
  return t(TITLE_KEYS[phase]);
}

/**
 * On the web the server is the one that served the page. Plain http is allowed for it:
 * the page itself came over that connection, so refusing it protects nothing.
 */
export function webDefaultSettings(origin: string): Settings {
  const server = settingsSchema.shape.server.safeParse({
    mode: 'off',
    join: [{ url: origin, fingerprint: null, password: '', allowPlaintext: true }],
    host: DEFAULT_SETTINGS.server.host,
  });
  return { ...DEFAULT_SETTINGS, server: server.success ? server.data : DEFAULT_SETTINGS.server };
}

/** What this page's server says about itself in /healthz; only the certificate's fingerprint is read. */
const healthSchema = z.looseObject({ tlsFingerprint: fingerprintSchema.optional() });

/**
 * Watches this page's address for `#join?fp=…[&password=…]` (the browser link of
 * "Share how to join"): each one is handed over once and removed from the address
 * (it may carry the password). One that cannot be read is said so, never joined.
 */
export function watchJoinHash(
  listener: (ref: JoinRef) => void,
  notify: (notice: HostNotice) => void,
  win: Window | undefined = globalThis.window,
): () => void {
  if (win === undefined) return () => {};
  const check = (): void => {
    if (!win.location.hash.startsWith('#join?')) return;
    const ref = parseJoinLink(win.location.href);
    win.history.replaceState(null, '', win.location.pathname + win.location.search);
    if (ref === null) {
      log.child('host.web').warn('a #join link in the address could not be read; nothing was joined');
      notify({
        level: 'warning',
        message:
          win.location.protocol === 'https:'
            ? t('notices.joinLinkDamaged')
            : t('notices.joinLinkHttps'),
      });
      return;
    }
    listener(ref);
  };
  // After the caller has its unsubscribe in hand, as the host's other events.
  queueMicrotask(check);
  win.addEventListener('hashchange', check);
  return () => win.removeEventListener('hashchange', check);
}

class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();
  on(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
  emit(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  get size(): number {
    return this.listeners.size;
  }
}

/** The desktop-only download methods, in the browser. */
async function noDiskInBrowser(): Promise<never> {
  throw new Error(t('browserHost.noDownloadFolder'));
}

export function createWebHost(options: WebHostOptions): WebHost {
  const { storage, tabStorage } = options;
  const defaults = webDefaultSettings(options.origin);
  const notices = new Emitter<HostNotice>();
  const callActions = new Emitter<CallAction>();
  /** Notices raised before anyone listens (corrupt storage at start-up) wait here. */
  const queued: HostNotice[] = [];
  const notify = (notice: HostNotice | null): void => {
    if (!notice) return;
    if (notices.size > 0) notices.emit(notice);
    else queued.push(notice);
  };

  // Settings, favourites and history follow the same rules as on the desktop (preload/hostData.ts).
  const data = new HostData(createBrowserData({ storage, keys: STORAGE_KEYS, notify }), defaults);
  const loaded = data.load().then(() => setAsideClaimedIds());

  /**
   * An older Parley kept a made-up userId here (and a deviceId per tab); what was
   * saved under such ids moves aside once. The old ids are then removed: the legacy
   * record keeps the userId.
   */
  const setAsideClaimedIds = async (): Promise<void> => {
    const old = readStored({ storage, key: STORAGE_KEYS.user, schema: userIdSchema.nullable(), fallback: null, label: 'old identity' });
    notify(old.notice);
    if (old.value === null) return;
    notify(await data.setAsideClaimedIds(old.value, options.now?.() ?? Date.now()));
    try {
      storage.removeItem(STORAGE_KEYS.user);
      tabStorage.removeItem(STORAGE_KEYS.device);
    } catch (error) {
      // Harmless: the legacy record marks the move as done, so it does not run twice.
      log.child('host.web').warn('could not remove the old made-up ids after setting their data aside', error);
    }
  };

  const openNotifications = new Map<string, { close(): void }>();

  const bridge: ParleyBridge = {
    async getAppInfo(): Promise<AppInfo> {
      return {
        host: 'web',
        version: options.version,
        platform: options.platform,
      };
    },
    async getLegacy() {
      await loaded;
      return data.getLegacy();
    },
    async getSettings() {
      await loaded;
      return data.getSettings();
    },
    async updateSettings(patch) {
      await loaded;
      return data.updateSettings(patch);
    },
    async getServerEndpoint() {
      await loaded;
      // The page's own server: the password kept for it (Settings → Server, or a #join link).
      const join = data.getSettings().server.join;
      const own = join.find((server) => server.url === options.origin) ?? join[0];
      return { urls: [options.origin], password: own?.password ?? '' };
    },
    async getHostedServer() {
      // A page cannot listen for connections: the browser build never hosts.
      return { state: 'off' as const };
    },
    async probeServer(request) {
      if (request.url !== options.origin) {
        throw new Error(t('browserHost.cannotProbe'));
      }
      // The browser has checked the certificate already (or the person accepted it at its
      // warning); the server says which one it has in /healthz. That catches a link made
      // for another server or an old certificate; it proves nothing against someone who
      // controls this connection, which only the browser's own check can.
      const fetchHealth = options.fetch ?? globalThis.fetch.bind(globalThis);
      let presented: string | null;
      try {
        const response = await fetchHealth(`${options.origin}/healthz`, { cache: 'no-store' });
        const body = healthSchema.parse(await response.json());
        presented = body.tlsFingerprint ?? null;
      } catch (error) {
        log.child('host.web').warn('could not read this server’s /healthz to compare its fingerprint', error);
        return { ok: false, reason: 'unreachable', message: t('browserHost.noHealth', { server: options.origin }), fingerprint: null };
      }
      if (request.fingerprint === null || request.fingerprint === presented) return { ok: true, fingerprint: presented };
      return {
        ok: false,
        reason: 'fingerprint_mismatch',
        message: t('browserHost.mismatch', { presented: presented ?? t('browserHost.plainHttp'), pinned: request.fingerprint }),
        fingerprint: presented,
      };
    },
    async startServerDiscovery() {
      throw new Error(t('browserHost.noDiscovery'));
    },
    async stopServerDiscovery() {
      // Nothing was started (startServerDiscovery rejects in the browser).
    },
    async getFavourites() {
      await loaded;
      return data.getFavourites();
    },
    async setFavourites(list) {
      await loaded;
      await data.setFavourites(list);
    },
    async getHistory() {
      await loaded;
      return data.getHistory();
    },
    async addHistoryEntry(entry) {
      await loaded;
      await data.addHistoryEntry(entry);
    },
    async clearHistory() {
      await loaded;
      await data.clearHistory();
    },
    reportCallState(report) {
      options.page?.setTitle(titleFor(report.phase));
    },
    async showIncomingCall(notice) {
      const port = options.notifications;
      // The page itself rings and shows the call when someone is looking at it.
      if (!port || port.permission() !== 'granted' || options.page?.isAttended()) return;
      openNotifications.get(notice.callId)?.close();
      const shown = port.show(
        t('browserHost.notifyTitle', { name: notice.callerName }),
        {
          body: t(notice.media === 'video' ? 'browserHost.notifyVideo' : 'browserHost.notifyAudio'),
          tag: `parley-call-${notice.callId}`,
          requireInteraction: true,
          // The page plays its own ringtone; a system sound on top would clash.
          silent: true,
        },
        () => {
          // Browsers do not offer notification action buttons to pages (only to
          // service workers), so a click brings the call forward instead.
          options.page?.focus();
          openNotifications.get(notice.callId)?.close();
          openNotifications.delete(notice.callId);
          callActions.emit({ type: 'show-call' });
        },
      );
      openNotifications.set(notice.callId, shown);
    },
    dismissIncomingCall(callId) {
      openNotifications.get(callId)?.close();
      openNotifications.delete(callId);
    },
    async openExternal(url) {
      const parsed = externalUrlSchema.safeParse(url);
      if (!parsed.success) throw new Error(t('browserHost.httpsOnly', { url: url.slice(0, 200) }));
      options.page?.open(parsed.data);
    },
    chooseScreenSource() {
      // The browser shows its own picker; nothing asks this host for a choice.
    },
    log(entry) {
      // Refused like the desktop preload refuses it, so a logger bug shows in the browser too.
      const parsed = logEntrySchema.safeParse(entry);
      if (!parsed.success) throw new TypeError(`Invalid argument for log: ${parsed.error.issues[0]?.message ?? 'invalid entry'}`);
      const { level, scope, message, detail } = parsed.data;
      const out = options.console ?? console;
      if (detail === undefined) out[level](`[${scope}] ${message}`);
      else out[level](`[${scope}] ${message}`, detail);
    },
    // A page cannot write files where it likes: in the browser a received file stays
    // in memory as a Blob (capped per call) and the person saves it with a link.
    beginDownload: noDiskInBrowser,
    writeDownload: noDiskInBrowser,
    finishDownload: noDiskInBrowser,
    abortDownload: noDiskInBrowser,
    revealDownload: noDiskInBrowser,
    getDownloadFolder: noDiskInBrowser,
    chooseDownloadFolder: noDiskInBrowser,
    onCallRequested(_listener: (request: CallRequest) => void) {
      return () => {};
    },
    onCallAction: (listener) => callActions.on(listener),
    onScreenSourcesRequested(_listener: (request: ScreenSourceRequest) => void) {
      return () => {};
    },
    // The browser build's invite link: https://<server>/#add/<userId>/<secret>.
    onInviteOpened: (listener) => watchInviteHash(listener),
    // The browser build's join link: https://<server>/#join?fp=…[&password=…].
    onJoinOpened: (listener) => watchJoinHash(listener, notify),
    onHostedServerChanged(_listener: (server: HostedServer) => void) {
      return () => {};
    },
    onDiscoveredServers(_listener: (servers: DiscoveredServer[]) => void) {
      return () => {};
    },
    onNotice(listener) {
      const off = notices.on(listener);
      const waiting = queued.splice(0);
      // Delivered after the caller has its unsubscribe in hand.
      if (waiting.length > 0) queueMicrotask(() => waiting.forEach((n) => listener(n)));
      return off;
    },
  };

  const port = options.notifications;
  const notifications: WebNotificationControl | null = port
    ? { permission: () => port.permission(), request: () => port.request() }
    : null;

  return { bridge, notifications };
}
