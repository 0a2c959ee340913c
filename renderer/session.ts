/**
 * The renderer's composition root for one connection to a signaling server: it
 * builds and wires everything that lives on that connection — the signaling
 * client, the presence store and the call engine — so that signaling/, state/
 * and call/ know nothing of each other's construction. A new password or name
 * means a new session; `dispose` ends all of it.
 */
import type { Favourite, HistoryEntry, ServerEndpoint } from '../preload/contract';
import type { ChosenStatus, PresenceBatchPayload, PresenceUser, StrangerCalls } from '../signaling-server/protocol';
import { createCallEngine, type CallEngine, type HostAction, type HostOutcome } from './call/callEngine';
import type { ReceivedFileHost } from './call/fileTransfers';
import type { DeviceIdentity } from './identity/deviceIdentity';
import { SignalingClient, type ConnectionState } from './signaling/client';
import { buildContacts } from './state/contacts';
import { EMPTY_PRESENCE, presenceReducer, type PresenceEvent, type PresenceState } from './state/presence';
import { createStore, type ReadableStore } from './state/store';
import { t } from './i18n';
import { serverErrorText } from './state/serverErrorText';

export type { CallEngine, HostAction, HostOutcome };

export interface SessionOptions {
  endpoint: ServerEndpoint;
  /** This device's keys (renderer/identity): its userId and deviceId, and the signatures only it can make. */
  identity: DeviceIdentity;
  displayName: string;
  /** The userIds of this user's contacts, read for every handshake. */
  contacts?(): readonly string[];
  /** Settings → calls from people not in your contacts, read for every handshake. */
  strangerCalls?(): StrangerCalls;
  /**
   * A contact whose calls may pre-connect while ringing (the contact book: in it,
   * and no key change waiting). Absent: anyone in `contacts()`.
   */
  isContact?(userId: string): boolean;
  /** Why a person may not be called now (a changed key not yet accepted), or null. */
  callRefusal?(peer: { userId: string; displayName: string }): string | null;
  /** The status to hold on the server, re-applied after every (re)connection. */
  status: ChosenStatus;
  /** The microphone and camera chosen in settings, read when media is acquired. */
  devices(): { microphone: string | null; camera: string | null };
  /** Settings → "Relay calls through the server (hide my IP address)", read for each new call. */
  relayOnly?(): boolean;
  /** Settings → my camera on the ringing card while a call rings, read at each ring (default on). */
  ringPreview?(): boolean;
  /** Settings → largest file sent or accepted in a call, read for each transfer. */
  maxFileBytes?(): number;
  /** Desktop: where received files are written (the host bridge); absent: kept in memory. */
  downloads?: ReceivedFileHost | null;
  /** Settings → Blocked: sent to the server after every welcome (it keeps the list only while we are online). */
  blocked?(): readonly string[];
  /** The saved favourites: with who is online, the contacts a tray call may ring (engine.handle). */
  favourites?(): readonly Favourite[];
  onHistory(entry: HistoryEntry): void;
  onError(message: string): void;
}

export interface Session {
  readonly client: SignalingClient;
  /** A password goes with every handshake of this session. */
  readonly passwordSent: boolean;
  readonly engine: CallEngine;
  readonly connection: ReadableStore<ConnectionState>;
  readonly presence: ReadableStore<PresenceState>;
  setStatus(status: ChosenStatus): Promise<void>;
  /** Sends the block list again (after it changed); a no-op while offline, the next welcome sends it. */
  syncBlocked(): Promise<void>;
  dispose(): void;
}

export function openSession(options: SessionOptions): Session {
  const client = new SignalingClient({
    urls: options.endpoint.urls,
    password: options.endpoint.password,
    ...(options.endpoint.passwords ? { passwords: options.endpoint.passwords } : {}),
    identity: options.identity,
    displayName: options.displayName,
    ...(options.contacts ? { contacts: options.contacts } : {}),
    ...(options.strangerCalls ? { strangerCalls: options.strangerCalls } : {}),
  });
  const presence = createStore<PresenceState>(EMPTY_PRESENCE);
  const dispatch = (event: PresenceEvent): void => presence.update((s) => presenceReducer(s, event));
  let wanted = options.status;

  const applyStatus = async (): Promise<void> => {
    const self = presence.getSnapshot().self;
    if (!self || self.status === wanted || client.getState().phase !== 'online') return;
    try {
      await client.request('presence:status', { status: wanted });
      // The server echoes presence to others; this device learns its own status here.
      dispatch({ type: 'updated', user: { ...self, status: self.status === 'in_call' ? 'in_call' : wanted } });
    } catch (error) {
      options.onError(t('notices.statusFailed', { reason: serverErrorText(error) }));
    }
  };

  const blocked = (): string[] => [...(options.blocked?.() ?? [])];
  const applyBlocked = async (): Promise<void> => {
    if (client.getState().phase !== 'online') return;
    try {
      await client.request('block:set', { userIds: blocked() });
    } catch (error) {
      options.onError(t('notices.blockListFailed', { reason: serverErrorText(error) }));
    }
  };

  let lastWelcome: unknown = null;
  const onState = (state: ConnectionState): void => {
    if (state.phase === 'online' && state.welcome !== lastWelcome) {
      lastWelcome = state.welcome;
      dispatch({ type: 'welcome', self: state.welcome.self, users: state.welcome.users });
      void applyStatus();
      void applyBlocked();
    } else if (state.phase === 'refused' || state.phase === 'closed') {
      dispatch({ type: 'reset' });
    }
  };
  const offState = client.onState(onState);

  const onJoined = (user: PresenceUser): void => dispatch({ type: 'joined', user });
  const onUpdated = (user: PresenceUser): void => dispatch({ type: 'updated', user });
  const onLeft = (payload: { userId: string }): void => dispatch({ type: 'left', userId: payload.userId });
  const onBatch = (batch: PresenceBatchPayload): void => dispatch({ type: 'batch', batch });
  client.events.on('presence:joined', onJoined);
  client.events.on('presence:updated', onUpdated);
  client.events.on('presence:left', onLeft);
  client.events.on('presence:batch', onBatch);

  const contactList = options.contacts;
  const engine = createCallEngine({
    signaling: client,
    self: { userId: options.identity.userId, deviceId: options.identity.deviceId, displayName: options.displayName },
    // Signs the DTLS fingerprints of every SDP this device sends (calls the server cannot intercept).
    identity: options.identity,
    // Only contacts pre-connect while a call rings: that reveals addresses.
    ...(options.isContact
      ? { isContact: options.isContact }
      : contactList
        ? { isContact: (userId: string) => contactList().includes(userId) }
        : {}),
    // Presence comes from mutual contacts only: whom it shows online may get a first offer.
    seesPresenceOf: (userId: string) => presence.getSnapshot().users.has(userId),
    onHistory: options.onHistory,
    relayOnly: () => options.relayOnly?.() ?? false,
    ...(options.ringPreview ? { ringPreview: options.ringPreview } : {}),
    isBlocked: (userId) => blocked().includes(userId),
    ...(options.callRefusal ? { callRefusal: options.callRefusal } : {}),
    // The contact list as the window shows it, built when the tray asks for a call.
    contactOf: (userId) => {
      const contact = buildContacts(presence.getSnapshot(), options.favourites?.() ?? []).find((c) => c.userId === userId);
      return contact ? { displayName: contact.displayName, online: contact.status !== 'offline' } : null;
    },
    ...(options.maxFileBytes ? { maxFileBytes: options.maxFileBytes } : {}),
    ...(options.downloads ? { downloads: options.downloads } : {}),
    preferredDevices: () => {
      const { microphone, camera } = options.devices();
      return { microphone, camera };
    },
  });

  const connection: ReadableStore<ConnectionState> = {
    getSnapshot: () => client.getState(),
    subscribe: (listener) => client.onState(() => listener()),
  };

  client.start();

  return {
    client,
    passwordSent: options.endpoint.password !== '' || (options.endpoint.passwords ?? []).some((p) => p !== ''),
    engine,
    connection,
    presence,
    async setStatus(status) {
      wanted = status;
      await applyStatus();
    },
    syncBlocked: applyBlocked,
    dispose() {
      offState();
      client.events.off('presence:joined', onJoined);
      client.events.off('presence:updated', onUpdated);
      client.events.off('presence:left', onLeft);
      client.events.off('presence:batch', onBatch);
      engine.dispose();
      client.close();
    },
  };
}
