/**
 * The SFU side of calls, loaded when first needed (issue 16.8): the SFU client and
 * end-to-end encryption (sfuStack.ts, with sfu/ and e2ee/) are only for calls on the
 * media server (five or more, or meetings), so they are not in the JavaScript loaded
 * at start. This stands in for them in the engine from the start:
 *
 * - the first time the store shows an SFU call (or an SFU-only message arrives), the
 *   module loads; once it is there it follows the state now, then gets what came
 *   meanwhile (E2EE keys, relayed file messages, in order), and from then on
 *   everything goes straight to it;
 * - until then it says what the SFU client would with no session: it carries nobody,
 *   opens no mesh connection in an SFU call (those already open stay), has nothing to
 *   poll and no screens;
 * - a load that fails is logged and handed to `onLoadFailed` (the engine ends the call
 *   with a clear error and leaves it: a call never waits for a module that is not
 *   coming); the next SFU call tries again.
 */
import type { E2eeSignal } from '../../signaling-server/protocol';
import { log } from '../log';
import type { PeerConnectionLike } from './peerConnection';
import { isSfuCall } from './sfu/sfuTargets';
import type { SfuCall } from './sfu/sfuCall';
import type { SfuStack, SfuStackOptions } from './sfuStack';

const logger = log.child('call.sfu');

/** Messages kept while the module loads; a flood beyond this is dropped (logged), never kept without bound. */
export const MAX_WAITING_INPUTS = 512;

export interface SfuStackModule {
  createSfuStack<PC extends PeerConnectionLike>(options: SfuStackOptions<PC>): SfuStack<PC>;
}

export interface LazySfuOptions<PC extends PeerConnectionLike> extends SfuStackOptions<PC> {
  /** The call `callId` needed the SFU client and it could not be loaded or started (already logged). */
  onLoadFailed(callId: string, error: unknown): void;
  /** Default: the sfuStack.ts chunk. Tests give their own. */
  load?: () => Promise<SfuStackModule>;
}

const NO_SCREENS: ReadonlyMap<string, MediaStream> = new Map();

export function createLazySfu<PC extends PeerConnectionLike>(options: LazySfuOptions<PC>): SfuStack<PC> {
  const load = options.load ?? (() => import('./sfuStack'));
  let stack: SfuStack<PC> | null = null;
  let loading = false;
  let disposed = false;
  let screenTrack: MediaStreamTrack | null = null;
  let waiting: ((loaded: SfuStack<PC>) => void)[] = [];

  function ensureLoaded(callId: string): void {
    if (stack || loading || disposed) return;
    loading = true;
    logger.info(`call ${callId} goes through the media server: loading the SFU client and end-to-end encryption`);
    load()
      .then((module) => {
        if (disposed) return;
        const loaded = module.createSfuStack(options);
        stack = loaded;
        if (screenTrack) loaded.sfu.setScreen(screenTrack);
        loaded.sfu.follow(options.state());
        const inputs = waiting;
        waiting = [];
        for (const input of inputs) input(loaded);
      })
      .catch((error: unknown) => {
        loading = false;
        waiting = [];
        if (disposed) return;
        logger.error(`the SFU client did not load for call ${callId}: the call cannot go through the media server`, error);
        options.onLoadFailed(callId, error);
      });
  }

  /** An input for the SFU side: now, or once it has loaded. */
  function deliver(callId: string, what: string, input: (loaded: SfuStack<PC>) => void): void {
    if (stack) {
      input(stack);
      return;
    }
    if (disposed) return;
    if (waiting.length >= MAX_WAITING_INPUTS) {
      logger.warn(`${what} in call ${callId} dropped: ${MAX_WAITING_INPUTS} messages already wait for the SFU client to load`);
      return;
    }
    waiting.push(input);
    ensureLoaded(callId);
  }

  const sfu: SfuCall<PC> = {
    follow(s) {
      if (stack) stack.sfu.follow(s);
      else if (s.phase === 'active' && s.call.topology === 'sfu') ensureLoaded(s.callId);
    },
    carries: (deviceId) => stack?.sfu.carries(deviceId) ?? false,
    // As the SFU client says: no new mesh connection in an SFU call, loaded or not.
    allowsMesh: (s) => (stack ? stack.sfu.allowsMesh(s) : !isSfuCall(s)),
    session: () => stack?.sfu.session() ?? null,
    pollTargets: () => stack?.sfu.pollTargets() ?? [],
    setScreen(track) {
      screenTrack = track;
      stack?.sfu.setScreen(track);
    },
    screens: () => stack?.sfu.screens() ?? NO_SCREENS,
    dispose() {
      disposed = true;
      waiting = [];
      stack?.sfu.dispose();
    },
  };

  return {
    sfu,
    handleE2ee: (callId: string, from: string, message: E2eeSignal) =>
      deliver(callId, `an end-to-end key message from device ${from}`, (loaded) => loaded.handleE2ee(callId, from, message)),
    receiveFiles: (callId: string, from: string, payload: string) =>
      deliver(callId, `a relayed file message from device ${from}`, (loaded) => loaded.receiveFiles(callId, from, payload)),
  };
}
