/**
 * Main's side of ParleyBridge: every request/one-way method of the contract,
 * implemented by the main services, and registered on IPC through the validating
 * registry. The event methods (onX) are the preload's business; main sends those
 * through RendererEvents.
 */
import {
  INVOKE_CHANNELS,
  SEND_CHANNELS,
  type AppInfo,
  type CallStateReport,
  type LogEntry,
  type ParleyBridge,
  type ScreenSourceChoice,
  type SettingsPatch,
} from '../../preload/contract';
import type { EmbeddedServer } from '../embeddedServer';
import type { DownloadService } from '../files/downloadService';
import { safeExternalUrl } from '../security/navigationPolicy';
import type { HostStorage } from '../storage/hostStorage';
import type { IpcRegistry } from './ipcRegistry';
import type { RendererLog } from './rendererLog';

export type HostMethods = Omit<ParleyBridge, 'onCallRequested' | 'onCallAction' | 'onScreenSourcesRequested' | 'onNotice' | 'log'> & {
  /** `sender` is the window's webContents: the rate limit is per window. */
  log(entry: LogEntry, sender: object): void;
};

export interface DesktopHostOptions {
  storage: HostStorage;
  server: Pick<EmbeddedServer, 'endpoint'>;
  /** Received files written to disk (files/downloadService.ts). */
  downloads: Pick<DownloadService, 'begin' | 'write' | 'finish' | 'abort' | 'reveal' | 'folder' | 'chooseFolder'>;
  appInfo(): AppInfo;
  /** Tray, power blocker, notifications and the event queue follow the report. */
  onCallState(report: CallStateReport): void;
  showIncomingCall(notice: Parameters<ParleyBridge['showIncomingCall']>[0]): void;
  dismissIncomingCall(callId: string): void;
  chooseScreenSource(choice: ScreenSourceChoice): void;
  /** shell.openExternal */
  openExternal(url: string): Promise<void>;
  /** The renderer's log lines; tests that do not read them leave it out and the lines go nowhere. */
  rendererLog?: Pick<RendererLog, 'write'>;
  /** Rewrites a validated settings patch before it is stored (fills in a LAN server password). */
  prepareSettingsPatch?(patch: SettingsPatch): SettingsPatch;
}

export function createDesktopHost(options: DesktopHostOptions): HostMethods {
  const { storage } = options;
  return {
    getAppInfo: async () => options.appInfo(),
    getIdentity: async () => storage.getIdentity(),
    getSettings: async () => storage.getSettings(),
    updateSettings: (patch) => storage.updateSettings(options.prepareSettingsPatch?.(patch) ?? patch),
    getServerEndpoint: () => options.server.endpoint(storage.getSettings().server),
    getFavourites: async () => storage.getFavourites(),
    setFavourites: (favourites) => storage.setFavourites(favourites),
    getHistory: async () => storage.getHistory(),
    addHistoryEntry: (entry) => storage.addHistoryEntry(entry),
    clearHistory: () => storage.clearHistory(),
    reportCallState: (report) => options.onCallState(report),
    showIncomingCall: async (notice) => options.showIncomingCall(notice),
    dismissIncomingCall: (callId) => options.dismissIncomingCall(callId),
    openExternal: async (url) => {
      // The IPC schema already demands https; this also strips credentials and normalises IDN hosts.
      const safe = safeExternalUrl(url);
      if (safe === null) throw new Error(`Parley opens only plain https links in your browser; refused ${url.slice(0, 200)}`);
      await options.openExternal(safe);
    },
    chooseScreenSource: (choice) => options.chooseScreenSource(choice),
    log: (entry, sender) => options.rendererLog?.write(sender, entry),
    beginDownload: (request) => options.downloads.begin(request),
    writeDownload: (request) => options.downloads.write(request),
    finishDownload: (request) => options.downloads.finish(request),
    abortDownload: (request) => options.downloads.abort(request),
    revealDownload: (request) => options.downloads.reveal(request),
    getDownloadFolder: async () => options.downloads.folder(),
    chooseDownloadFolder: () => options.downloads.chooseFolder(),
  };
}

/** Wires every contract channel to `host`. A channel left out here would be a silent feature gap, so a test checks all are registered. */
export function registerDesktopHost(registry: IpcRegistry, host: HostMethods): void {
  registry.handle(INVOKE_CHANNELS.getAppInfo, () => host.getAppInfo());
  registry.handle(INVOKE_CHANNELS.getIdentity, () => host.getIdentity());
  registry.handle(INVOKE_CHANNELS.getSettings, () => host.getSettings());
  registry.handle(INVOKE_CHANNELS.updateSettings, (patch) => host.updateSettings(patch));
  registry.handle(INVOKE_CHANNELS.getServerEndpoint, () => host.getServerEndpoint());
  registry.handle(INVOKE_CHANNELS.getFavourites, () => host.getFavourites());
  registry.handle(INVOKE_CHANNELS.setFavourites, (favourites) => host.setFavourites(favourites));
  registry.handle(INVOKE_CHANNELS.getHistory, () => host.getHistory());
  registry.handle(INVOKE_CHANNELS.addHistoryEntry, (entry) => host.addHistoryEntry(entry));
  registry.handle(INVOKE_CHANNELS.clearHistory, () => host.clearHistory());
  registry.handle(INVOKE_CHANNELS.showIncomingCall, (notice) => host.showIncomingCall(notice));
  registry.handle(INVOKE_CHANNELS.openExternal, (url) => host.openExternal(url));
  registry.handle(INVOKE_CHANNELS.beginDownload, (request) => host.beginDownload(request));
  registry.handle(INVOKE_CHANNELS.writeDownload, (request) => host.writeDownload(request));
  registry.handle(INVOKE_CHANNELS.finishDownload, (request) => host.finishDownload(request));
  registry.handle(INVOKE_CHANNELS.abortDownload, (request) => host.abortDownload(request));
  registry.handle(INVOKE_CHANNELS.revealDownload, (request) => host.revealDownload(request));
  registry.handle(INVOKE_CHANNELS.getDownloadFolder, () => host.getDownloadFolder());
  registry.handle(INVOKE_CHANNELS.chooseDownloadFolder, () => host.chooseDownloadFolder());
  registry.on(SEND_CHANNELS.reportCallState, (report) => host.reportCallState(report));
  registry.on(SEND_CHANNELS.dismissIncomingCall, (callId) => host.dismissIncomingCall(callId));
  registry.on(SEND_CHANNELS.chooseScreenSource, (choice) => host.chooseScreenSource(choice));
  registry.on(SEND_CHANNELS.log, (entry, origin) => host.log(entry, origin.sender));
}
