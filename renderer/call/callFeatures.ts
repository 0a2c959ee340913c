/**
 * The in-call features put together: screen sharing, chat, files, live stats and
 * device switching, fed by the peer sessions (through SessionHooks) and the call
 * state (through `callChanged`), with one store for the UI. Everything here is
 * for the call in progress and is dropped when it ends.
 */
import { log, type Logger } from '../log';
import { isInCall, type CallState, type SelfRef } from './callState';
import { ChatRoom } from './chatRoom';
import { featureConnection } from './featureConnection';
import type { CallFeaturesController, FeaturesView } from './featureTypes';
import type { FileTransfers, ReceivedFileHost } from './fileTransfers';
import { LazyFileTransfers } from './lazyFileTransfers';
import { randomId } from './ids';
import type { PeerConnectionLike } from './peerConnection';
import { PeerChannels, type ReadyLink } from './peerChannels';
import type { DataChannelLike } from './dataChannel';
import { ScreenShare, type DisplayMediaLike } from './screenShare';
import type { SessionHooks } from './sessionHooks';
import { pollStats, STATS_POLL_MS } from './statsPoller';
import type { CallView } from './types';
import { switchDevice } from '../media/deviceSwitch';
import type { LocalMedia, MediaDevicesLike } from '../media/localMedia';

export interface CallFeaturesOptions {
  self: SelfRef;
  local: LocalMedia;
  devices: MediaDevicesLike;
  /** null where the browser cannot capture a screen. */
  display: DisplayMediaLike | null;
  /** The connections to the call's members, by deviceId (for stats). */
  connections(): Iterable<[string, PeerConnectionLike]>;
  maxFileBytes(): number;
  /** Desktop: the host writes received files to disk. Absent: they are kept in memory (the browser). */
  downloads?: ReceivedFileHost | null;
  now(): number;
  statsPollMs?: number;
  /** Where the features log what they work around (default: the renderer log, scope 'call'). */
  log?: Logger;
  /** Chat through the server for members with no peer connection (SFU calls, sfu/sfuCall.ts). */
  relay?: ChatRelay;
  /** Remote screens that arrive another way (the SFU's subscriber), by deviceId; the same map while nothing changed. */
  moreScreens?: () => ReadonlyMap<string, MediaStream>;
}

/** The server path for chat where no data channel reaches a member (SFU calls). */
export interface ChatRelay {
  /** The members to reach through the server now (none in a mesh call). */
  targets(): { deviceId: string; userId: string }[];
  send(deviceId: string, payload: string): void;
}

export interface CallFeatures extends CallFeaturesController {
  readonly hooks: SessionHooks;
  callChanged(state: CallState): void;
  /** The view with the shared screens filled in; the same object while nothing changed. */
  decorate(view: CallView): CallView;
  /** A chat message relayed by the server from a member (see ChatRelay). */
  relayedChat(from: { deviceId: string; userId: string }, payload: string): void;
  /**
   * SFU calls: file channels through the server (sfu/sfuFiles.ts), one per member
   * device; a data channel to the same device wins while it is open.
   */
  readonly relayedFiles: Pick<FileTransfers, 'ready' | 'gone' | 'receive'>;
  /** `moreScreens` changed: the view is decorated again. */
  screensChanged(): void;
  /** The screen I share now (its stream), or null. */
  sharedScreen(): MediaStream | null;
  dispose(): void;
}

export function createCallFeatures(options: CallFeaturesOptions): CallFeatures {
  const listeners = new Set<() => void>();
  const names = new Map<string, string>();
  let inCall = false;
  let sharePrompt = false;
  let stats: FeaturesView['stats'] = {};
  let stopStats: (() => void) | null = null;
  let snapshot: FeaturesView | null = null;
  let decorated: { base: CallView; sharing: MediaStream | null; screens: ReadonlyMap<string, MediaStream>; view: CallView } | null = null;
  let screensVersion = new Map<string, MediaStream>();

  const changed = (): void => {
    snapshot = null;
    for (const listener of [...listeners]) listener();
  };
  const featureLog = options.log ?? log.child('call');
  // The mesh's screens and the SFU's, merged once per change of either (decorate compares by identity).
  let merged: { mesh: ReadonlyMap<string, MediaStream>; more: ReadonlyMap<string, MediaStream>; all: Map<string, MediaStream> } | null = null;
  const withMoreScreens = (mesh: Map<string, MediaStream>, more: ReadonlyMap<string, MediaStream> | undefined): Map<string, MediaStream> => {
    if (!more || more.size === 0) return mesh;
    if (merged?.mesh !== mesh || merged.more !== more) merged = { mesh, more, all: new Map([...mesh, ...more]) };
    return merged.all;
  };

  const screen = new ScreenShare({
    display: options.display,
    onChange: () => {
      screensVersion = new Map(screen.screens);
      changed();
    },
    log: featureLog.child('screen'),
  });
  const chat = new ChatRoom({ now: options.now, newId: randomId, onChange: changed });
  // Loaded with the first call's file channel, not at start (lazyFileTransfers.ts, issue 16.8).
  const files = new LazyFileTransfers({
    maxFileBytes: options.maxFileBytes,
    peerName: (deviceId) => names.get(deviceId) ?? 'Someone',
    newId: randomId,
    onChange: changed,
    downloads: options.downloads ?? null,
    log: featureLog.child('files'),
  });
  // Which file channel each device's transfers use: its data channel, else the server relay (SFU calls).
  const meshFiles = new Set<string>();
  const relayFiles = new Map<string, Parameters<FileTransfers['ready']>[0]>();
  const channels = new PeerChannels({
    ready: (link) => {
      meshFiles.add(link.deviceId);
      files.ready(link);
      changed();
    },
    gone: (deviceId) => {
      meshFiles.delete(deviceId);
      files.gone(deviceId);
      const relayed = relayFiles.get(deviceId);
      if (relayed) files.ready(relayed);
      changed();
    },
    chat: (link, data) =>
      chat.receive({ userId: link.userId, deviceId: link.deviceId, displayName: names.get(link.deviceId) ?? 'Someone' }, data),
    files: (link, data) => files.receive(link.deviceId, data),
  });

  const hooks: SessionHooks = {
    opened(session, plan) {
      const pc = featureConnection(session.pc);
      if (!pc) return null;
      const { deviceId, userId } = plan;
      channels.open(deviceId, userId, pc, plan.polite, plan.send);
      screen.attach(deviceId, session, pc, plan.send);
      return {
        planChanged(next) {
          channels.setAllowed(deviceId, next.send);
          screen.setAllowed(deviceId, next.send);
        },
        closed() {
          channels.close(deviceId);
          screen.detach(deviceId);
        },
      };
    },
  };

  /** Members chat reaches now: by data channel, or through the server (SFU calls). */
  function reachable(): number {
    const direct = new Set(channels.readyLinks().map((l) => l.deviceId));
    const relayed = (options.relay?.targets() ?? []).filter((t) => !direct.has(t.deviceId)).length;
    return direct.size + relayed;
  }

  function reset(): void {
    sharePrompt = false;
    screen.reset();
    channels.closeAll();
    files.reset();
    meshFiles.clear();
    relayFiles.clear();
    chat.reset();
    stats = {};
    changed();
  }

  const features: CallFeatures = {
    hooks,

    getSnapshot() {
      snapshot ??= {
        screenShareSupported: screen.supported,
        sharing: screen.sharing !== null,
        sharePrompt,
        chat: chat.log,
        transfers: files.list,
        stats,
        reachable: reachable(),
      };
      return snapshot;
    },

    subscribe(listener) {
      listeners.add(listener);
      return (): void => {
        listeners.delete(listener);
      };
    },

    callChanged(state) {
      if (isInCall(state) && (state.phase !== 'outgoing' || state.call)) {
        const call = state.call;
        if (call) for (const m of call.members) names.set(m.deviceId, m.displayName);
        if (call) for (const i of call.invitees) for (const d of i.devices) names.set(d.deviceId, i.displayName);
      }
      const active = state.phase === 'active';
      if (active && !stopStats) {
        stopStats = pollStats(options.connections, (digests) => {
          stats = digests;
          changed();
        }, options.statsPollMs ?? STATS_POLL_MS);
      } else if (!active && stopStats) {
        stopStats();
        stopStats = null;
      }
      const nowInCall = isInCall(state);
      if (inCall && !nowInCall) {
        names.clear();
        reset();
      }
      inCall = nowInCall;
    },

    decorate(view) {
      const sharing = screen.sharing;
      const screens = withMoreScreens(screensVersion, options.moreScreens?.());
      if (view.phase !== 'active' || (sharing === null && screens.size === 0)) return view;
      if (decorated && decorated.base === view && decorated.sharing === sharing && decorated.screens === screens) return decorated.view;
      const next: CallView = {
        ...view,
        local: { ...view.local, screen: sharing },
        participants: view.participants.map((p) => ({ ...p, screen: screens.get(p.deviceId) ?? null })),
      };
      decorated = { base: view, sharing, screens, view: next };
      return next;
    },

    async shareScreen() {
      if (!inCall) return;
      sharePrompt = false;
      changed();
      await screen.start();
    },

    stopSharing() {
      screen.stop();
    },

    askToShare() {
      if (!inCall || screen.sharing || !screen.supported) return;
      sharePrompt = true;
      changed();
    },

    dismissSharePrompt() {
      if (!sharePrompt) return;
      sharePrompt = false;
      changed();
    },

    sendChat(text) {
      const links = channels.readyLinks();
      const direct = new Set(links.map((l) => l.deviceId));
      // A member with no data channel (an SFU call) gets the same text through the server.
      const relay = options.relay;
      const relayed = relay ? relay.targets().filter((t) => !direct.has(t.deviceId)).map((t) => relayLink(t, relay)) : [];
      chat.send(text, [...links, ...relayed]);
    },

    screensChanged: () => changed(),
    sharedScreen: () => screen.sharing,

    relayedChat(from, payload) {
      chat.receive({ ...from, displayName: names.get(from.deviceId) ?? 'Someone' }, payload);
    },

    relayedFiles: {
      ready(link) {
        relayFiles.set(link.deviceId, link);
        if (meshFiles.has(link.deviceId)) return;
        files.ready(link);
        changed();
      },
      gone(deviceId) {
        if (!relayFiles.delete(deviceId) || meshFiles.has(deviceId)) return;
        files.gone(deviceId);
        changed();
      },
      receive(deviceId, data) {
        if (relayFiles.has(deviceId) && !meshFiles.has(deviceId)) files.receive(deviceId, data);
      },
    },

    setChatOpen(open) {
      chat.setOpen(open);
    },

    sendFile: (file) => files.send(file),
    acceptTransfer: (key) => files.accept(key),
    declineTransfer: (key) => files.decline(key),
    cancelTransfer: (key) => files.cancel(key),
    dismissTransfer: (key) => files.dismiss(key),
    revealTransfer: (key) => files.reveal(key),

    async switchDevice(device, deviceId) {
      if (!inCall) return false;
      return switchDevice(options.local, options.devices, device, deviceId);
    },

    dispose() {
      stopStats?.();
      stopStats = null;
      reset();
      listeners.clear();
    },
  };
  return features;
}

/** A chat-only link whose 'channel' is the server relay (ChatRoom sends to it like to a data channel). */
function relayLink(target: { deviceId: string; userId: string }, relay: ChatRelay): ReadyLink {
  const unused = (): never => {
    throw new Error('the server relay carries chat only');
  };
  const chat = {
    label: 'chat',
    readyState: 'open',
    bufferedAmount: 0,
    bufferedAmountLowThreshold: 0,
    binaryType: 'arraybuffer',
    send: (data: unknown) => {
      if (typeof data !== 'string') unused();
      relay.send(target.deviceId, data as string);
    },
    close: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  } as DataChannelLike;
  const files = { ...chat, label: 'files', send: unused } as DataChannelLike;
  return { deviceId: target.deviceId, userId: target.userId, chat, files };
}

/** The browser's getDisplayMedia, where there is one. */
export function browserDisplayMedia(): DisplayMediaLike | null {
  if (typeof navigator === 'undefined') return null;
  const devices = (navigator as Navigator & { mediaDevices?: MediaDevices }).mediaDevices;
  return devices && typeof devices.getDisplayMedia === 'function' ? devices : null;
}

