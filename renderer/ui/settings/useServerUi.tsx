/**
 * Issue 13's screens over one session: the Settings → Server section (with the
 * hosted server's state and, on the desktop, the servers mDNS finds while the
 * settings are open) and the join question a parley://join link, a browser
 * #join?… address or a picked nearby server opens. Shell renders `section` inside
 * the settings and `dialogs` over the window. Saving applies at once: the settings
 * are stored, then the session reconnects (main restarts its embedded server when
 * asked for the endpoint), with no restart of the app.
 */
import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import type { DiscoveredServer, HostedServer, JoinRef, JoinServer, ServerChoice } from '../../../preload/contract';
import { t } from '../../i18n';
import { log } from '../../log';
import type { Services } from '../services';
import { JoinServerDialog } from './JoinServerDialog';
import { MAX_SERVERS } from './serverLinks';
import { serverErrorText } from '../../state/serverErrorText';

// Loaded with the settings, not at start (issue 16.8).
const ServerSettings = lazy(async () => ({ default: (await import('./ServerSettings')).ServerSettings }));

const logger = log.child('ui.server');
/** An error in words: a server refusal said for its code in the UI's language, any other error as it reads. */
const words = (error: unknown): string => serverErrorText(error);

export interface ServerUi {
  /** Settings → Server; render it only while the settings are open (it looks for servers meanwhile). */
  section: ReactNode;
  dialogs: ReactNode;
  /** The password typed in the connection banner, for the server this app joins (or hosts). */
  submitPassword(password: string): Promise<void>;
}

/** `joined` first in the failover list (its fingerprint pinned), the others after it, at most MAX_SERVERS. */
export function withJoined(choice: ServerChoice, joined: JoinRef): ServerChoice {
  const first: JoinServer = { url: joined.server, fingerprint: joined.fingerprint, password: joined.password, allowPlaintext: false };
  const rest = choice.join.filter((server) => server.url !== joined.server);
  // The browser's own page server keeps its allowance (a page served over http joins itself).
  const kept = choice.join.find((server) => server.url === joined.server);
  const entry = kept ? { ...first, allowPlaintext: kept.allowPlaintext, password: joined.password || kept.password } : first;
  return { ...choice, mode: 'off', join: [entry, ...rest].slice(0, MAX_SERVERS) };
}

export function useServerUi(input: { services: Services; settingsOpen: boolean; reconnect(): void }): ServerUi {
  const { services, settingsOpen, reconnect } = input;
  const { bridge, settings: settingsStore, toasts } = services;
  const desktop = services.appInfo.host === 'desktop';
  const choice = settingsStore.getSnapshot().server;
  const [hosted, setHosted] = useState<HostedServer>({ state: 'off' });
  const [nearby, setNearby] = useState<readonly DiscoveredServer[] | null>(null);
  const [nearbyProblem, setNearbyProblem] = useState<string | undefined>(undefined);
  const [asking, setAsking] = useState<{ ref: JoinRef; name?: string; source: 'link' | 'network' } | null>(null);
  // The form starts again from the stored settings when a join changed them behind it
  // (not after its own save, so its "Saved" stays on screen).
  const [formGeneration, setFormGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    const off = bridge.onHostedServerChanged((now) => setHosted(now));
    bridge.getHostedServer().then(
      (now) => live && setHosted(now),
      (error: unknown) => logger.warn('could not read the hosted server’s state', error),
    );
    return () => {
      live = false;
      off();
    };
  }, [bridge]);

  // parley://join (desktop) and #join?… (browser): ask before joining.
  useEffect(() => bridge.onJoinOpened((ref) => setAsking({ ref, source: 'link' })), [bridge]);

  // mDNS, on the desktop only and only while the settings are open.
  useEffect(() => {
    if (!settingsOpen) return;
    if (!desktop) {
      setNearby(null);
      // NearbyServers says why in the UI's language (nearbyServers.needsDesktop).
      setNearbyProblem(undefined);
      return;
    }
    let live = true;
    const off = bridge.onDiscoveredServers((servers) => live && setNearby(servers));
    bridge.startServerDiscovery().then(
      (servers) => live && setNearby(servers),
      (error: unknown) => {
        logger.warn('looking for servers on the network failed', error);
        if (live) setNearbyProblem(t('serverToasts.nearbyFailed', { reason: words(error) }));
      },
    );
    return () => {
      live = false;
      off();
      bridge.stopServerDiscovery().catch((error: unknown) => logger.warn('could not stop looking for servers', error));
    };
  }, [bridge, desktop, settingsOpen]);

  /**
   * A pinned or https server is reached and its certificate checked before it is saved
   * (desktop: main's TLS check; browser: only this page's own server, by its /healthz).
   */
  const checkReachable = useCallback(
    async (servers: readonly JoinServer[]): Promise<void> => {
      for (const server of servers) {
        if (!server.url.startsWith('https:')) continue;
        if (!desktop && server.url !== window.location.origin) continue;
        const probe = await bridge.probeServer({ url: server.url, fingerprint: server.fingerprint });
        if (probe.ok) continue;
        if (probe.reason === 'unreachable') {
          // A failover server may be down now; that is no reason to refuse the list.
          logger.info(`${server.url} did not answer while saving; kept in the list`);
          toasts.push({ level: 'info', message: t('notices.serverNoAnswer', { server: server.url }) });
          continue;
        }
        throw new Error(`${server.url}: ${probe.message}`);
      }
    },
    [bridge, desktop, toasts],
  );

  const save = useCallback(
    async (next: ServerChoice): Promise<void> => {
      if (next.mode === 'off') await checkReachable(next.join);
      await settingsStore.update({ server: next });
      reconnect();
    },
    [checkReachable, reconnect, settingsStore],
  );

  const join = useCallback(
    async (ref: JoinRef): Promise<void> => {
      const next = withJoined(settingsStore.getSnapshot().server, ref);
      await save(next);
      setFormGeneration((n) => n + 1);
      toasts.push({ level: 'info', message: t('serverToasts.joining', { server: ref.server }) });
    },
    [save, settingsStore, toasts],
  );

  const submitPassword = useCallback(
    async (password: string): Promise<void> => {
      const server = settingsStore.getSnapshot().server;
      // The web page's own server, else the first of the list: the one the banner asked about.
      const own = server.join.findIndex((s) => s.url === window.location.origin);
      const at = own >= 0 ? own : 0;
      const next: ServerChoice =
        server.mode === 'off' && server.join[at]
          ? { ...server, join: server.join.map((s, i) => (i === at ? { ...s, password } : s)) }
          : { ...server, host: { ...server.host, password } };
      await settingsStore.update({ server: next });
      reconnect();
    },
    [reconnect, settingsStore],
  );

  const section = settingsOpen ? (
    <Suspense fallback={null}>
      <ServerSettings
        key={formGeneration}
        choice={choice}
        hosted={hosted}
        canHost={desktop}
        nearby={desktop && nearbyProblem === undefined ? (nearby ?? []) : null}
        nearbyUnavailable={nearbyProblem}
        onSave={save}
        onPickNearby={(ref, server) => setAsking({ ref, name: server.name, source: 'network' })}
      />
    </Suspense>
  ) : null;

  const dialogs = asking ? (
    <JoinServerDialog invite={asking.ref} name={asking.name} source={asking.source} onJoin={join} onClose={() => setAsking(null)} />
  ) : null;

  return { section, dialogs, submitPassword };
}
