/**
 * The bridge the preload exposes as `window.parley`: one method per row of the
 * contract's BRIDGE table, built over ipcRenderer but never exposing it (Electron
 * security checklist §20). A pure factory, so tests build it over a fake ipc.
 *
 * - Requests are checked against the contract's schemas before they leave, so a
 *   renderer bug fails here with a readable message rather than as a rejection
 *   from main. Main validates them again: it trusts nothing from a renderer.
 * - Event listeners get only the payload (never Electron's event object, which
 *   carries `sender`), payloads that do not parse are dropped, and every
 *   subscription returns an unsubscribe that removes its ipc listener.
 */
import type { z } from 'zod';
import { BRIDGE, noPayload, type BridgeMethod, type BridgeMethodName, type BridgeRow, type ParleyBridge, type Unsubscribe } from './contract';

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

/**
 * Parse without zod's eval-compiled fast path. The preload runs at document
 * creation, when zod's `new Function` probe still succeeds, but by the time
 * anything is parsed the page's CSP (script-src 'self', no 'unsafe-eval') applies
 * to this world too, and the compiled parser throws an EvalError instead of
 * parsing. Found by test/desktop/rendererOnDesktopHost.test.ts.
 */
const NO_EVAL = { jitless: true } as const;

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`)
    .join('; ');
}

export function createPreloadBridge(ipc: IpcRendererLike, options: PreloadBridgeOptions = {}): ParleyBridge {
  const onDropped =
    options.onDroppedEvent ??
    ((channel: string, issues: string) => console.warn(`Parley: dropped an invalid ${channel} event (${issues})`));

  /**
   * Checks an outgoing payload; the error names the channel and the field. A method
   * that takes nothing ignores what it is called with (a click handler's event).
   */
  const checked = (channel: string, schema: z.ZodType, args: readonly unknown[]): unknown[] => {
    if (schema === noPayload) return [];
    const parsed = schema.safeParse(args[0], NO_EVAL);
    if (!parsed.success) throw new TypeError(`Invalid argument for ${channel}: ${describeIssues(parsed.error)}`);
    return parsed.data === undefined ? [] : [parsed.data];
  };

  const invoke = async (row: Extract<BridgeRow, { kind: 'invoke' }>, args: readonly unknown[]): Promise<unknown> => {
    const result = await ipc.invoke(row.channel, ...checked(row.channel, row.request, args));
    const response: z.ZodType = row.response;
    const parsed = response.safeParse(result, NO_EVAL);
    if (!parsed.success) throw new TypeError(`Unexpected answer on ${row.channel}: ${describeIssues(parsed.error)}`);
    return parsed.data;
  };

  const subscribe = (row: Extract<BridgeRow, { kind: 'event' }>, listener: (payload: unknown) => void): Unsubscribe => {
    const payloadSchema: z.ZodType = row.payload;
    // Only the payload reaches the page: Electron's event carries `sender`.
    const onEvent: IpcListener = (_event, payload) => {
      const parsed = payloadSchema.safeParse(payload, NO_EVAL);
      if (!parsed.success) {
        onDropped(row.channel, describeIssues(parsed.error));
        return;
      }
      listener(parsed.data);
    };
    ipc.on(row.channel, onEvent);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipc.removeListener(row.channel, onEvent);
    };
  };

  const method = <N extends BridgeMethodName>(name: N): BridgeMethod<(typeof BRIDGE)[N]> => {
    const row: BridgeRow = BRIDGE[name];
    const implementation =
      row.kind === 'invoke'
        ? (...args: unknown[]) => invoke(row, args)
        : row.kind === 'send'
          ? (...args: unknown[]) => void ipc.send(row.channel, ...checked(row.channel, row.request, args))
          : (listener: (payload: unknown) => void) => subscribe(row, listener);
    // Each branch implements its row's kind over values its schemas parsed; TypeScript
    // cannot follow `row.kind` back to the generic N, so the link is asserted here once.
    return implementation as BridgeMethod<(typeof BRIDGE)[N]>;
  };

  const names = Object.keys(BRIDGE) as BridgeMethodName[];
  return Object.fromEntries(names.map((name) => [name, method(name)])) as ParleyBridge;
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
