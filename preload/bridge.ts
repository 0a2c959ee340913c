/**
 * The bridge the preload exposes as `window.parley`: one method per capability of
 * ParleyBridge, built over ipcRenderer but never exposing it (Electron security
 * checklist §20). A pure factory, so tests build it over a fake ipc.
 *
 * - Requests are checked against the contract's schemas before they leave, so a
 *   renderer bug fails here with a readable message rather than as a rejection
 *   from main. Main validates them again: it trusts nothing from a renderer.
 * - Event listeners get only the payload (never Electron's event object, which
 *   carries `sender`), payloads that do not parse are dropped, and every
 *   subscription returns an unsubscribe that removes its ipc listener.
 */
import { z } from 'zod';
import {
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  SEND_CHANNELS,
  downloadFolderSchema,
  downloadResultSchema,
  downloadStartedSchema,
  eventSchemas,
  favouritesSchema,
  historySchema,
  identitySchema,
  requestSchemas,
  settingsSchema,
  type AppInfo,
  type ParleyBridge,
  type ServerEndpoint,
  type Unsubscribe,
} from './contract';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The part of ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

export interface PreloadBridgeOptions {
  /** Told about a main → renderer payload that failed its schema (default: console.warn). */
  onDroppedEvent?: (channel: string, issues: string) => void;
}

// Main's answers for the two interfaces that have no schema in the contract.
// `satisfies` ties each schema to its interface, so they cannot drift apart.
const appInfoSchema = z.strictObject({
  host: z.enum(['desktop', 'web']),
  version: z.string(),
  platform: z.string(),
  capabilities: z.strictObject({
    tray: z.boolean(),
    nativeScreenPicker: z.boolean(),
    embeddedServer: z.boolean(),
    globalShortcut: z.boolean(),
  }),
}) satisfies z.ZodType<AppInfo>;

const serverEndpointSchema = z.strictObject({
  urls: z.array(z.string()).min(1),
  password: z.string(),
}) satisfies z.ZodType<ServerEndpoint>;

/**
 * Parse without zod's eval-compiled fast path. The preload runs at document
 * creation, when zod's `new Function` probe still succeeds, but by the time
 * anything is parsed the page's CSP (script-src 'self', no 'unsafe-eval') applies
 * to this world too, and the compiled parser throws an EvalError instead of
 * parsing. Found by test/desktop/rendererOnDesktopHost.test.ts.
 */
const NO_EVAL = { jitless: true } as const;

type RequestChannel = keyof typeof requestSchemas;
type EventChannel = keyof typeof eventSchemas;

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`)
    .join('; ');
}

export function createPreloadBridge(ipc: IpcRendererLike, options: PreloadBridgeOptions = {}) {
  const onDropped =
    options.onDroppedEvent ??
    ((channel: string, issues: string) => console.warn(`Parley: dropped an invalid ${channel} event (${issues})`));

  /** Checks an outgoing payload; the error names the channel and the field. */
  const checked = (channel: RequestChannel, payload: unknown): unknown[] => {
    const schema: z.ZodType = requestSchemas[channel];
    const parsed = schema.safeParse(payload, NO_EVAL);
    if (!parsed.success) throw new TypeError(`Invalid argument for ${channel}: ${describeIssues(parsed.error)}`);
    return parsed.data === undefined ? [] : [parsed.data];
  };

  const invoke = async <T>(channel: RequestChannel, payload: unknown, answer: z.ZodType<T>): Promise<T> => {
    const args = checked(channel, payload);
    const result = await ipc.invoke(channel, ...args);
    const parsed = answer.safeParse(result, NO_EVAL);
    if (!parsed.success) throw new TypeError(`Unexpected answer on ${channel}: ${describeIssues(parsed.error)}`);
    return parsed.data;
  };

  const send = (channel: RequestChannel, payload: unknown): void => {
    ipc.send(channel, ...checked(channel, payload));
  };

  const subscribe = <C extends EventChannel>(
    channel: C,
    listener: (payload: z.output<(typeof eventSchemas)[C]>) => void,
  ): Unsubscribe => {
    const schema: z.ZodType = eventSchemas[channel];
    const onEvent: IpcListener = (_event, payload) => {
      const parsed = schema.safeParse(payload, NO_EVAL);
      if (!parsed.success) {
        onDropped(channel, describeIssues(parsed.error));
        return;
      }
      listener(parsed.data as z.output<(typeof eventSchemas)[C]>);
    };
    ipc.on(channel, onEvent);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipc.removeListener(channel, onEvent);
    };
  };

  const nothing = z.undefined();

  return {
    getAppInfo: () => invoke(INVOKE_CHANNELS.getAppInfo, undefined, appInfoSchema),
    getIdentity: () => invoke(INVOKE_CHANNELS.getIdentity, undefined, identitySchema),
    getSettings: () => invoke(INVOKE_CHANNELS.getSettings, undefined, settingsSchema),
    updateSettings: (patch) => invoke(INVOKE_CHANNELS.updateSettings, patch, settingsSchema),
    getServerEndpoint: () => invoke(INVOKE_CHANNELS.getServerEndpoint, undefined, serverEndpointSchema),
    getFavourites: () => invoke(INVOKE_CHANNELS.getFavourites, undefined, favouritesSchema),
    setFavourites: (favourites) => invoke(INVOKE_CHANNELS.setFavourites, favourites, nothing),
    getHistory: () => invoke(INVOKE_CHANNELS.getHistory, undefined, historySchema),
    addHistoryEntry: (entry) => invoke(INVOKE_CHANNELS.addHistoryEntry, entry, nothing),
    clearHistory: () => invoke(INVOKE_CHANNELS.clearHistory, undefined, nothing),
    reportCallState: (report) => send(SEND_CHANNELS.reportCallState, report),
    showIncomingCall: (notice) => invoke(INVOKE_CHANNELS.showIncomingCall, notice, nothing),
    dismissIncomingCall: (callId) => send(SEND_CHANNELS.dismissIncomingCall, callId),
    openExternal: (url) => invoke(INVOKE_CHANNELS.openExternal, url, nothing),
    chooseScreenSource: (choice) => send(SEND_CHANNELS.chooseScreenSource, choice),
    log: (entry) => send(SEND_CHANNELS.log, entry),
    beginDownload: (request) => invoke(INVOKE_CHANNELS.beginDownload, request, downloadStartedSchema),
    writeDownload: (request) => invoke(INVOKE_CHANNELS.writeDownload, request, nothing),
    finishDownload: (request) => invoke(INVOKE_CHANNELS.finishDownload, request, downloadResultSchema),
    abortDownload: (request) => invoke(INVOKE_CHANNELS.abortDownload, request, nothing),
    revealDownload: (request) => invoke(INVOKE_CHANNELS.revealDownload, request, nothing),
    getDownloadFolder: () => invoke(INVOKE_CHANNELS.getDownloadFolder, undefined, downloadFolderSchema),
    chooseDownloadFolder: () => invoke(INVOKE_CHANNELS.chooseDownloadFolder, undefined, downloadFolderSchema.nullable()),
    onCallRequested: (listener) => subscribe(EVENT_CHANNELS.callRequested, listener),
    onCallAction: (listener) => subscribe(EVENT_CHANNELS.callAction, listener),
    onScreenSourcesRequested: (listener) => subscribe(EVENT_CHANNELS.screenSourcesRequested, listener),
    onNotice: (listener) => subscribe(EVENT_CHANNELS.notice, listener),
  } satisfies ParleyBridge;
}

/** The name under which the bridge appears in the page: `window.parley`. */
export const BRIDGE_KEY = 'parley';

export interface ContextBridgeLike {
  exposeInMainWorld(key: string, api: unknown): void;
}

/** What preload/index.ts runs: exactly one object goes into the page. */
export function exposeBridge(contextBridge: ContextBridgeLike, ipc: IpcRendererLike): void {
  contextBridge.exposeInMainWorld(BRIDGE_KEY, createPreloadBridge(ipc));
}
