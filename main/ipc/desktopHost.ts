/**
 * Main's side of ParleyBridge: every request/one-way row of the contract's BRIDGE
 * table, implemented by the main services, and registered on IPC through the
 * validating registry. The event rows (onX) are the preload's business; main sends
 * those through RendererEvents.
 */
import type { z } from 'zod';
import {
  BRIDGE,
  type AppInfo,
  type BridgeMethod,
  type BridgeMethodName,
  type CallStateReport,
  type ParleyBridge,
  type ScreenSourceChoice,
  type ServerProbeRequest,
  type ServerProbeResult,
  type SettingsPatch,
} from '../../preload/contract';
import type { ServerDiscovery } from '../server/serverDiscovery';
import type { EmbeddedServer } from '../embeddedServer';
import type { DownloadService } from '../files/downloadService';
import { safeExternalUrl } from '../security/navigationPolicy';
import type { HostStorage } from '../storage/hostStorage';
import type { IpcOrigin, IpcRegistry } from './ipcRegistry';
import type { RendererLog } from './rendererLog';

type Table = typeof BRIDGE;
/** The rows main answers: everything but the events. */
type HostMethodName = { [N in BridgeMethodName]: Table[N]['kind'] extends 'event' ? never : N }[BridgeMethodName];

/**
 * A row as main implements it: the parsed payload (if the row has one), then who
 * sent it; an invoke's result may be a value or a promise. A method that needs no
 * argument or origin simply leaves them out.
 */
type HostMethod<Row> = Row extends { kind: 'invoke'; request: infer Q extends z.ZodType }
  ? (payload: z.output<Q>, origin: IpcOrigin) => ReturnType<BridgeMethod<Row>> | Awaited<ReturnType<BridgeMethod<Row>>>
  : Row extends { kind: 'send'; request: infer Q extends z.ZodType }
    ? (payload: z.output<Q>, origin: IpcOrigin) => void
    : never;

export type HostMethods = { [N in HostMethodName]: HostMethod<Table[N]> };

export interface DesktopHostOptions {
  storage: HostStorage;
  server: Pick<EmbeddedServer, 'endpoint' | 'status'>;
  /** TLS handshake with a typed server: would it be trusted, and what does it present (server/serverProbe.ts). */
  probeServer(request: ServerProbeRequest): Promise<ServerProbeResult>;
  /** mDNS: Parley servers on the local network (server/serverDiscovery.ts). */
  discovery: Pick<ServerDiscovery, 'start' | 'stop'>;
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
    getLegacy: async () => storage.getLegacy(),
    getSettings: async () => storage.getSettings(),
    updateSettings: (patch) => storage.updateSettings(options.prepareSettingsPatch?.(patch) ?? patch),
    getServerEndpoint: () => options.server.endpoint(storage.getSettings().server),
    getHostedServer: async () => options.server.status(),
    probeServer: (request) => options.probeServer(request),
    startServerDiscovery: async () => options.discovery.start(),
    stopServerDiscovery: () => options.discovery.stop(),
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
    log: (entry, origin) => options.rendererLog?.write(origin.sender, entry),
    beginDownload: (request) => options.downloads.begin(request),
    writeDownload: (request) => options.downloads.write(request),
    finishDownload: (request) => options.downloads.finish(request),
    abortDownload: (request) => options.downloads.abort(request),
    revealDownload: (request) => options.downloads.reveal(request),
    getDownloadFolder: async () => options.downloads.folder(),
    chooseDownloadFolder: () => options.downloads.chooseFolder(),
  };
}

/**
 * Wires every request/one-way row of the contract to `host`, through the validating
 * registry (sender, payload, error replies). Derived from the table, so no channel
 * can be left out.
 */
export function registerDesktopHost(registry: IpcRegistry, host: HostMethods): void {
  for (const name of Object.keys(BRIDGE) as BridgeMethodName[]) {
    const row = BRIDGE[name];
    if (row.kind === 'event') continue;
    // The registry parsed the payload with this row's request schema before the call,
    // which is the type `host[name]` takes; TypeScript cannot tie `name` to the row.
    const method = host[name as HostMethodName] as (payload: unknown, origin: IpcOrigin) => unknown;
    if (row.kind === 'invoke') registry.handle(row.channel, (payload, origin) => method.call(host, payload, origin));
    else registry.on(row.channel, (payload, origin) => void method.call(host, payload, origin));
  }
}
