/** The signed-in app: header, sidebar, call stage, dialogs and toasts, over one session. */
import { lazy, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { HostNotice } from '../../preload/contract';
import type { CallMedia, ChosenStatus } from '../../signaling-server/protocol';
import type { CallView, PersonRef } from '../call/types';
import type { ConnectionState } from '../signaling/client';
import { effectiveDevice } from '../media/devices';
import { blockedPeople, blockUser, unblockUser } from '../state/blocking';
import { buildContacts, strangerCallStyle, type Contact } from '../state/contacts';
import { markNames } from '../state/nameMarks';
import { describeConnection } from '../state/connectionText';
import { EMPTY_PRESENCE, type PresenceState } from '../state/presence';
import type { CallEngine } from '../session';
import { createStore, type ReadableStore } from '../state/store';
import { CallStage, type CallStageProps } from './CallStage';
import { ConnectionBanner } from './ConnectionBanner';
import { Header } from './Header';
import { LinkCallDialog } from './LinkCallDialog';
import { LiveRegion } from './LiveRegion';
import { LazyPiece } from './LazyPiece';
import { NameMarksContext } from './PersonName';
import { useServices, useStore, type Services } from './services';
import { Sidebar } from './Sidebar';
import { RenameDialog } from './RenameDialog';
import { useCallAlerts } from './useCallAlerts';
import { NO_BOOK, useContactBook, useContactRequests } from './contacts/useContacts';
import { useContactsUi } from './contacts/useContactsUi';
import { useServerUi } from './settings/useServerUi';
import { useCallReport } from './useCallReport';
import { useDeviceChoice, useDeviceFallback, useDeviceLists } from './useDevices';
import { useFeatures } from './useFeatures';
import { useHostEvents } from './useHostEvents';
import { useSession } from './useSession';
import { t } from '../i18n';

// Settings is not needed to start or take a call: its code loads when it is first opened (issue 16.8).
const SettingsDialog = lazy(async () => ({ default: (await import('./settings/SettingsDialog')).SettingsDialog }));
const DevicesSettings = lazy(async () => ({ default: (await import('./settings/DevicesSettings')).DevicesSettings }));
// Desktop only, when a page asks to share a screen (issue 16.8: not in the JavaScript loaded at start).
const ScreenPicker = lazy(async () => ({ default: (await import('./ScreenPicker')).ScreenPicker }));

const IDLE: CallView = { phase: 'idle' };
const NO_CONNECTION = createStore<ConnectionState | null>(null);
const NO_PRESENCE = createStore<PresenceState>(EMPTY_PRESENCE);
const NO_VIEW = createStore<CallView>(IDLE);

function useEngineView(engine: CallEngine | null): CallView {
  const store = useMemo<ReadableStore<CallView>>(
    () =>
      engine
        ? { getSnapshot: () => engine.getView(), subscribe: (listener) => engine.subscribe(() => listener()) }
        : NO_VIEW,
    [engine],
  );
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

interface CallPhase {
  phase: CallView['phase'];
  /** The caller's userId while a call rings here. */
  ringingFrom: string | null;
}

/**
 * What the app around the stage needs of the call: its phase, and who rings; the
 * same object while they stay. The shell (header, sidebar, contact list) renders
 * again only when they change, not at every change of the call's view: after
 * Accept the view changes several times within a second (streams, connection
 * states, speaking, stats), and each of those rendered the whole app while the
 * first remote frame was due (issue 15: 5-7 renders of everything in the second
 * after Accept, four of them within 7 ms).
 */
function useCallPhase(engine: CallEngine | null): CallPhase {
  const last = useRef<CallPhase>({ phase: 'idle', ringingFrom: null });
  return useSyncExternalStore(
    useCallback((listener: () => void) => (engine ? engine.subscribe(() => listener()) : NO_VIEW.subscribe(listener)), [engine]),
    () => {
      const view = engine?.getView() ?? IDLE;
      const ringingFrom = view.phase === 'incoming' ? view.from.userId : null;
      if (last.current.phase !== view.phase || last.current.ringingFrom !== ringingFrom) last.current = { phase: view.phase, ringingFrom };
      return last.current;
    },
  );
}

type LiveCallStageProps = Omit<CallStageProps, 'view' | 'features'>;

/** The stage, subscribed to the call's view and its features itself (see useCallPhase). */
function LiveCallStage(props: LiveCallStageProps) {
  const view = useEngineView(props.engine);
  const features = useFeatures(props.engine);
  return <CallStage {...props} view={view} features={features} />;
}

/** What follows every change of the call without showing it: alerts, the host's report, the screen reader's announcements. */
function CallFollowers(props: { services: Services; engine: CallEngine | null; online: boolean; status: ChosenStatus; contacts: readonly Contact[]; quietRing: boolean }) {
  const { services, engine, online, status, contacts, quietRing } = props;
  const view = useEngineView(engine);
  useCallAlerts(services, view, quietRing);
  useCallReport(services, { online, view, status, contacts });
  return <LiveRegion view={view} />;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function Shell() {
  const services = useServices();
  const { settings: settingsStore, favourites: favouritesStore, history: historyStore, toasts: toastStore } = services;
  const settings = useStore(settingsStore);
  const favourites = useStore(favouritesStore);
  const history = useStore(historyStore);
  const [renaming, setRenaming] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const notify = useCallback((notice: HostNotice) => void toastStore.push(notice), [toastStore]);
  /** A lazily loaded screen that could not be shown (logged by LazyPiece): closed, and said. */
  const notShown = (close: () => void) => (error: unknown) => {
    close();
    toastStore.push({ level: 'error', message: t('app.partNotLoaded', { reason: error instanceof Error ? error.message : String(error) }) });
  };
  const book = useContactBook(services.identity.userId, notify);
  const bookState = useStore(book ?? NO_BOOK);
  const { session, restart } = useSession(services, settings.displayName, settings.status, book);
  const connection = useStore<ConnectionState | null>(session?.connection ?? NO_CONNECTION);
  const presence = useStore(session?.presence ?? NO_PRESENCE);
  const engine = session?.engine ?? null;
  const { phase, ringingFrom } = useCallPhase(engine);
  const { lists: deviceLists, refresh: refreshDevices } = useDeviceLists();
  const chooseDevice = useDeviceChoice(services, engine);
  useDeviceFallback(services, deviceLists);
  const inCallDevices = useMemo(
    () => ({ lists: deviceLists, chosen: settings.devices, onChoose: chooseDevice, refresh: refreshDevices }),
    [deviceLists, settings.devices, chooseDevice, refreshDevices],
  );
  const online = connection?.phase === 'online';
  const contacts = useMemo(() => buildContacts(presence, favourites, bookState), [presence, favourites, bookState]);
  // A contact's name follows what they go by now, so it is right while they are offline too.
  useEffect(() => {
    for (const user of presence.users.values()) void book?.rename(user.userId, user.displayName);
  }, [book, presence]);
  const connectionText = describeConnection(connection, { passwordSent: session?.passwordSent ?? false });
  const self: PersonRef = { userId: services.identity.userId, displayName: settings.displayName };

  useEffect(() => favouritesStore.refreshNames(presence.users), [favouritesStore, presence]);
  // Look-alike names are judged against everyone known: online people, offline favourites, and me.
  const nameMarks = useMemo(
    () =>
      markNames([
        ...presence.users.values(),
        ...favourites.filter((f) => !presence.users.has(f.userId)),
        { userId: services.identity.userId, displayName: settings.displayName },
      ]),
    [presence, favourites, services.identity.userId, settings.displayName],
  );
  // The server keeps the block list only while this device is online: the session
  // sends it after every welcome, and here after every change.
  useEffect(() => void session?.syncBlocked(), [session, settings.blockedUserIds]);

  const run = useCallback(
    (action: () => Promise<void> | void) => {
      Promise.resolve()
        .then(action)
        .catch((error: unknown) => toastStore.push({ level: 'error', message: errorText(error) }));
    },
    [toastStore],
  );

  const setStatus = useCallback(
    (status: ChosenStatus) => {
      run(async () => {
        await settingsStore.update({ status });
        await session?.setStatus(status);
      });
    },
    [run, settingsStore, session],
  );

  const setBlocked = useCallback(
    (person: PersonRef, block: boolean) => {
      run(async () => {
        const current = settingsStore.getSnapshot().blockedUserIds;
        const next = block ? blockUser(current, person.userId) : unblockUser(current, person.userId);
        await settingsStore.update({ blockedUserIds: next });
        toastStore.push(
          block
            ? { level: 'info', message: t('notices.blocked', { name: person.displayName }) }
            : { level: 'info', message: t('notices.unblocked', { name: person.displayName }) },
        );
      });
    },
    [run, settingsStore, toastStore],
  );
  const toggleBlock = useCallback(
    (person: PersonRef) => setBlocked(person, !settingsStore.getSnapshot().blockedUserIds.includes(person.userId)),
    [setBlocked, settingsStore],
  );

  const call = useCallback(
    (person: PersonRef, media: CallMedia) => {
      if (!engine) return;
      // An ended call's view gives way inside the engine (engineCommands.ts), which
      // also refuses a contact whose key changed, wherever the dial comes from.
      run(() => engine.call(person, media));
    },
    [engine, run],
  );

  // Stable, with the rest of the sidebar's props: the sidebar (memo) renders again only when what it shows changes.
  const toggleFavourite = useCallback(
    (c: Contact) => void favouritesStore.toggle({ userId: c.userId, displayName: c.displayName }),
    [favouritesStore],
  );
  const clearHistory = useCallback(() => void historyStore.clear(), [historyStore]);

  // Meetings go through the server's media server (issue 17): offered only when the welcome says it has one.
  const meetings = connection?.phase === 'online' && connection.welcome.limits.meetings === true;
  const startMeeting = useCallback(
    (person: PersonRef) => {
      if (!engine) return;
      run(() => engine.call(person, 'video', { meeting: true }));
    },
    [engine, run],
  );

  const contactRequests = useContactRequests({
    session,
    book,
    selfUserId: services.identity.userId,
    strangerCalls: settings.strangerCalls,
    blockedUserIds: settings.blockedUserIds,
    notify,
    block: async (person) => setBlocked(person, true),
  });
  const contactsUi = useContactsUi({ services, book, bookState, requests: contactRequests });
  const incomingStranger = ringingFrom !== null ? strangerCallStyle(ringingFrom, contacts, settings.strangerCalls) : null;

  const { screenRequest, answerScreenRequest, linkQuestion, answerLinkQuestion } = useHostEvents(services, {
    engine,
    contacts,
    setStatus,
    run,
  });
  // Refresh labels once media permission may have been granted (a call started).
  useEffect(() => refreshDevices(), [phase, refreshDevices]);

  const callBlocked = !online
    ? t('notices.callBlockedOffline')
    : phase === 'idle' || phase === 'ended'
      ? null
      : t('notices.callBlockedInCall');

  const serverUi = useServerUi({ services, settingsOpen, reconnect: restart });
  const submitPassword = serverUi.submitPassword;

  return (
    <NameMarksContext.Provider value={nameMarks}>
      <div className={`app app--${phase}`}>
        <Header
          connection={connectionText}
          selfId={self.userId}
          selfName={self.displayName}
          status={settings.status}
          inCall={phase === 'active'}
          canRename={phase === 'idle' || phase === 'ended'}
          onStatusChange={setStatus}
          onRename={() => setRenaming(true)}
          onSettings={() => {
            refreshDevices();
            setSettingsOpen(true);
          }}
        />
        <ConnectionBanner
          connection={connectionText}
          refused={connection?.phase === 'refused'}
          canReload={services.appInfo.host === 'web'}
          onPassword={submitPassword}
          onRetry={restart}
          onRename={() => setRenaming(true)}
        />
        <div className="app__body">
          <Sidebar
            contacts={contacts}
            history={history}
            callBlocked={callBlocked}
            online={online}
            shareUrl={services.appInfo.host === 'web' ? window.location.origin : null}
            onCall={call}
            onToggleFavourite={toggleFavourite}
            onClearHistory={clearHistory}
            blockedUserIds={settings.blockedUserIds}
            onToggleBlock={toggleBlock}
            onAddContact={contactsUi.openAdd}
            onVerify={contactsUi.openVerify}
            requests={contactsUi.panel}
            requestCount={contactsUi.attention}
            {...(meetings ? { onMeeting: startMeeting } : {})}
          />
          <main className={`stage stage--${phase}`}>
            <LiveCallStage
              services={services}
              engine={engine}
              self={self}
              online={online}
              contacts={contacts}
              speakerId={effectiveDevice('speaker', settings.devices.speaker, deviceLists)}
              devices={inCallDevices}
              run={run}
              onCall={call}
              onBlock={(person) => setBlocked(person, true)}
              incomingStranger={incomingStranger}
              meetings={meetings}
            />
          </main>
        </div>
        {screenRequest && (
          <LazyPiece what="the screen picker" onFailed={notShown(() => answerScreenRequest(null))}>
            <ScreenPicker request={screenRequest} onChoose={answerScreenRequest} />
          </LazyPiece>
        )}
        {linkQuestion && <LinkCallDialog key={linkQuestion.userId} question={linkQuestion} onAnswer={answerLinkQuestion} />}
        {settingsOpen && (
          <LazyPiece what="Settings" onFailed={notShown(() => setSettingsOpen(false))}>
            <SettingsDialog
              settings={settings}
              lists={deviceLists}
              onChooseDevice={chooseDevice}
              onMaxFileBytes={async (maxFileBytes) => void (await settingsStore.update({ maxFileBytes }))}
              onRelayOnly={async (relayOnly) => void (await settingsStore.update({ relayOnly }))}
              onRingPreview={async (ringPreview) => void (await settingsStore.update({ ringPreview }))}
              onStrangerCalls={async (strangerCalls) => void (await settingsStore.update({ strangerCalls }))}
              blocked={blockedPeople(settings.blockedUserIds, { online: presence.users, favourites, history })}
              onUnblock={(person) => setBlocked({ userId: person.userId, displayName: person.displayName ?? person.userId }, false)}
              downloadFolder={services.appInfo.host === 'desktop' ? services.bridge : null}
              yourDevices={
                <DevicesSettings
                  identity={services.identity}
                  keys={services.keys}
                  channel={session?.client ?? null}
                  online={online}
                  legacy={services.legacy}
                  onLinked={services.replaceIdentity}
                />
              }
              server={serverUi.section}
              onClose={() => setSettingsOpen(false)}
            />
          </LazyPiece>
        )}
        {serverUi.dialogs}
        {renaming && (
          <RenameDialog
            currentName={settings.displayName}
            onSave={async (displayName) => void (await settingsStore.update({ displayName }))}
            onClose={() => setRenaming(false)}
          />
        )}
        {contactsUi.dialogs}
        <CallFollowers services={services} engine={engine} online={online} status={settings.status} contacts={contacts} quietRing={incomingStranger === 'ask'} />
      </div>
    </NameMarksContext.Provider>
  );
}
