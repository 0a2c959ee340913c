/**
 * Parley's Electron main process: the composition root. It owns the app
 * lifecycle and builds every service with the real Electron objects; the services
 * themselves (tray, picker, notifications, storage, server, IPC) take those objects
 * as options and are tested with fakes in test/desktop/.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  BrowserWindow,
  Menu,
  Notification,
  Tray,
  app,
  desktopCapturer,
  dialog,
  globalShortcut,
  ipcMain,
  powerMonitor,
  powerSaveBlocker,
  protocol,
  session,
  shell,
  type WebFrameMain,
} from 'electron';
import { EVENT_CHANNELS, type SettingsPatch } from '../preload/contract';
import { createSignalingServer } from '../signaling-server/index';
import { APP_SCHEME, isAppUrl } from './appUrl';
import { captureRoute } from './capture/captureRoute';
import { DisplayMediaService } from './capture/displayMediaHandler';
import { DEEP_LINK_SCHEME, DeepLinkRouter, deepLinkFromArgv } from './deepLinks/deepLinks';
import { EmbeddedServer } from './embeddedServer';
import { DownloadService } from './files/downloadService';
import { createDesktopHost, registerDesktopHost } from './ipc/desktopHost';
import { IpcRegistry } from './ipc/ipcRegistry';
import { RendererLog } from './ipc/rendererLog';
import { createMainLogger } from './logger';
import { MainLocale, mainText, pickMainLanguage } from './i18n';
import { IncomingCallService } from './notifications/incomingCall';
import { appPaths } from './paths';
import { CallPowerBlocker } from './power/callPowerBlocker';
import { checkNetworkOnWake } from './power/networkCheckOnWake';
import { createAppProtocolHandler } from './protocol/appProtocol';
import { hardenWebContents } from './security/hardenWebContents';
import { installPermissionHandlers } from './security/hardenSession';
import { installCertificatePinning, pinsFor } from './security/certificatePinning';
import { webRtcIpPolicyFor } from './security/webRtcPolicy';
import { lanPasswordNotice, withLanPassword } from './server/serverAccess';
import { ServerDiscovery } from './server/serverDiscovery';
import { probeServer } from './server/serverProbe';
import { LoginItemService, startCommand } from './loginItem/loginItem';
import { MuteShortcutService, checkShortcutPatch } from './shortcuts/muteShortcut';
import { HostStorage } from './storage/hostStorage';
import { TrayService } from './tray/trayService';
import { createMainWindow } from './window/mainWindow';
import { RendererEventQueue } from './window/rendererEvents';
import { initialWindowState, windowControl } from './window/windowControl';

const APP_ID = 'app.parley.desktop';
const paths = appPaths(app.getAppPath());

// ─── before ready ───────────────────────────────────────────────────────────

// A standard, secure scheme gives app://parley a real origin (CSP 'self', fetch,
// permission checks); it must be registered before the app is ready. corsEnabled is
// left unset on purpose: the page's own requests are same-origin, and without it no
// other origin (say, a LAN page) can read app:// responses (electron/electron#52908).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);
// Every renderer sandboxed, whatever a window's options say (checklist §4).
app.enableSandbox();

// macOS delivers links with open-url, possibly before ready: keep them until routed.
const earlyLinks: string[] = [];
let routeLink: (url: string) => void = (url) => earlyLinks.push(url);
app.on('open-url', (event, url) => {
  event.preventDefault();
  routeLink(url);
});

if (!app.requestSingleInstanceLock()) {
  // Another Parley runs; it receives our argv (and deep link) through 'second-instance'.
  app.quit();
} else {
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      const text = mainLocale?.text ?? mainText(pickMainLanguage(systemLanguages()));
      dialog.showErrorBox(text('mainDialogs.startFailed'), error instanceof Error ? (error.stack ?? error.message) : String(error));
      app.exit(1);
    });
}

// ─── ready ──────────────────────────────────────────────────────────────────

/** The language main speaks (tray, notifications, dialogs); set once settings are read. */
let mainLocale: MainLocale | null = null;

/** The OS's languages, best first, for settings.language 'system'. */
function systemLanguages(): readonly string[] {
  const preferred = app.getPreferredSystemLanguages();
  return preferred.length > 0 ? preferred : [app.getLocale()];
}

async function start(): Promise<void> {
  const logger = createMainLogger({ packaged: app.isPackaged, userDataDir: app.getPath('userData') });
  const platform = process.platform;
  if (platform === 'win32') app.setAppUserModelId(APP_ID); // toasts need it

  // Dev (`electron .`): the OS must launch electron with our folder for the link to reach us.
  const protocolRegistered =
    process.defaultApp && process.argv[1] !== undefined
      ? app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [resolve(process.argv[1])])
      : app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
  if (!protocolRegistered) logger.warn('could not register as the parley:// handler');

  const events = new RendererEventQueue({ logger });
  const notify = events.notify;

  const storage = new HostStorage({ dir: app.getPath('userData'), notify, logger });
  await storage.load();
  // LAN hosting never runs without a password: one is made the first time (and kept in settings).
  const lanPassword = (patch: SettingsPatch): SettingsPatch => {
    const secured = withLanPassword(patch, storage.getSettings());
    if (secured.generated !== null && secured.patch.server?.mode === 'lan') {
      // At the first start this runs before the app's locale exists: the stored choice decides.
      const text = mainLocale?.text ?? new MainLocale({ choice: storage.getSettings().language, systemLanguages }).text;
      notify('info', lanPasswordNotice(secured.generated, secured.patch.server.host.port, text));
    }
    return secured.patch;
  };
  const initial = lanPassword({});
  if (initial.server) await storage.updateSettings(initial);
  const settings = storage.getSettings();
  const locale = new MainLocale({ choice: settings.language, systemLanguages });
  mainLocale = locale;

  // Every webContents, present and future, gets navigation/window-open/webview locks.
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, { openExternal: (url) => shell.openExternal(url), logger });
  });

  const ses = session.defaultSession;
  installPermissionHandlers(ses, {
    logger,
    electronMajor: Number.parseInt(process.versions.electron ?? '0', 10),
  });
  ses.setDevicePermissionHandler(() => false); // no HID/USB/serial devices for the page
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ rootDir: paths.rendererDir, logger }));

  let mainWindow: BrowserWindow | null = null;
  let quitting = false;
  const win = windowControl(() => mainWindow);

  const display = new DisplayMediaService<WebFrameMain>({
    getSources: (options) => desktopCapturer.getSources(options),
    isAppMainFrame: (frame) =>
      mainWindow !== null && !mainWindow.isDestroyed() && frame === mainWindow.webContents.mainFrame && isAppUrl(frame.url),
    events,
    notify,
    logger,
    platform,
    text: locale.text,
    route: captureRoute({
      platform,
      env: process.env,
      ozonePlatform: app.commandLine.getSwitchValue('ozone-platform'),
      enableFeatures: app.commandLine.getSwitchValue('enable-features'),
    }),
  });
  ses.setDisplayMediaRequestHandler((request, callback) => display.handleRequest(request, callback));

  const tray = new TrayService({
    createTray: (iconPath) => new Tray(iconPath),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    iconPath: paths.trayIcon,
    events,
    showWindow: () => win.show(),
    quit: () => app.quit(),
    logger,
    text: locale.text,
  });
  tray.start();
  locale.onChange(() => tray.relabel());

  const power = new CallPowerBlocker(powerSaveBlocker);
  const stopNetworkChecks = checkNetworkOnWake({ powerMonitor, events, logger });
  const shortcut = new MuteShortcutService({ globalShortcut, events, notify, logger, text: locale.text });
  shortcut.apply(settings.muteShortcut);
  const loginItem = new LoginItemService({
    platform,
    setLoginItemSettings: (loginSettings) => app.setLoginItemSettings(loginSettings),
    // Development (`electron .`) starts electron with the project folder.
    command: startCommand(process.execPath, process.defaultApp && process.argv[1] !== undefined ? [resolve(process.argv[1])] : [], process.env),
    env: process.env,
    notify,
    logger,
    text: locale.text,
  });
  // At every start too: the app may have moved since (an update, another AppImage).
  void loginItem.apply(settings.startAtLogin);

  const incoming = new IncomingCallService({
    isSupported: () => Notification.isSupported(),
    createNotification: (options, handlers) => {
      const notification = new Notification(options);
      notification.on('click', handlers.onClick);
      notification.on('action', (details) => handlers.onAction(details.actionIndex));
      notification.on('close', handlers.onClose);
      return notification;
    },
    window: win,
    events,
    platform,
    iconPath: paths.appIcon,
    logger,
    text: locale.text,
  });

  const downloads = new DownloadService({
    dir: app.getPath('userData'),
    defaultFolder: app.getPath('downloads'),
    maxBytes: () => storage.getSettings().maxFileBytes,
    showOpenDialog: (options) =>
      mainWindow !== null && !mainWindow.isDestroyed() ? dialog.showOpenDialog(mainWindow, options) : dialog.showOpenDialog(options),
    showItemInFolder: (path) => shell.showItemInFolder(path),
    notify,
    logger,
    text: locale.text,
  });
  await downloads.load();

  const server = new EmbeddedServer({
    createServer: createSignalingServer,
    clientDir: existsSync(paths.rendererDir) ? paths.rendererDir : null,
    logger,
    notify,
    text: locale.text,
    dataDir: join(app.getPath('userData'), 'server'),
  });
  // The renderer's wss connections: a pinned host accepts exactly its fingerprint, an unpinned one only a CA-valid certificate.
  const pinning = installCertificatePinning(ses, {
    pins: () => pinsFor(storage.getSettings().server, server.ownCertificate()),
    notify,
    logger,
    text: locale.text,
  });
  server.onStatus((status) => {
    // A new certificate or address of our own server changes the pins.
    pinning.pinsChanged();
    events.send(EVENT_CHANNELS.hostedServerChanged, status);
  });
  const discovery = new ServerDiscovery({
    onChange: (servers) => events.send(EVENT_CHANNELS.discoveredServers, servers),
    logger,
  });

  // Hosting: up at launch, so people can call even before the window asks.
  void server.apply(settings.server);

  storage.onSettingsChanged((next, previous) => {
    if (JSON.stringify(next.server) !== JSON.stringify(previous.server)) {
      pinning.pinsChanged();
      void server.apply(next.server);
    }
    if (next.muteShortcut !== previous.muteShortcut) shortcut.apply(next.muteShortcut);
    if (next.language !== previous.language) locale.set(next.language);
    if (next.startAtLogin !== previous.startAtLogin) void loginItem.apply(next.startAtLogin);
    if (next.relayOnly !== previous.relayOnly && mainWindow !== null && !mainWindow.isDestroyed()) {
      mainWindow.webContents.setWebRTCIPHandlingPolicy(webRtcIpPolicyFor(next));
    }
  });

  const registry = new IpcRegistry({
    ipcMain,
    logger,
    isTrustedSender: (sender) => mainWindow !== null && !mainWindow.isDestroyed() && sender === mainWindow.webContents,
  });
  registerDesktopHost(
    registry,
    createDesktopHost({
      storage,
      server,
      probeServer: (request) => probeServer(request, undefined, locale.text),
      discovery,
      downloads,
      appInfo: () => ({
        host: 'desktop',
        version: app.getVersion(),
        platform,
      }),
      onCallState: (report) => {
        events.rendererReported();
        tray.update(report);
        power.follow(report);
        incoming.followReport(report);
      },
      showIncomingCall: (notice) => incoming.show(notice),
      dismissIncomingCall: (callId) => incoming.dismiss(callId),
      chooseScreenSource: (choice) => display.choose(choice),
      openExternal: (url) => shell.openExternal(url),
      rendererLog: new RendererLog({ logger }),
      // A new mute shortcut is registered before it is saved: one another app holds is refused in the field's words.
      prepareSettingsPatch: (patch) => lanPassword(checkShortcutPatch(shortcut, patch)),
    }),
  );

  // A minimal menu: macOS needs Edit roles for copy/paste; elsewhere none (no reload/devtools items).
  Menu.setApplicationMenu(
    platform === 'darwin' ? Menu.buildFromTemplate([{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }]) : null,
  );

  const links = new DeepLinkRouter({ events, window: win, logger });
  const launchLink = deepLinkFromArgv(process.argv);

  const openWindow = (): void => {
    if (mainWindow !== null && !mainWindow.isDestroyed()) return;
    mainWindow = createMainWindow({
      // The flags that matter most are restated at the construction site, so neither a
      // change to windowOptions() nor a scanner that reads only this call can miss them.
      createWindow: (options) =>
        new BrowserWindow({
          ...options,
          webPreferences: {
            ...options.webPreferences,
            contextIsolation: true,
            sandbox: true,
            nodeIntegration: false,
            webSecurity: true,
            disableBlinkFeatures: 'Auxclick',
          },
        }),
      preload: paths.preload,
      icon: paths.appIcon,
      devTools: !app.isPackaged,
      relayOnly: storage.getSettings().relayOnly,
      initialState: initialWindowState({
        startMinimised: storage.getSettings().startMinimised,
        trayAvailable: tray.available,
        launchedWithDeepLink: launchLink !== null || earlyLinks.length > 0,
      }),
      events,
      hideOnClose: () => ({ quitting, closeToTray: storage.getSettings().closeToTray, trayAvailable: tray.available }),
      onLoadFailed: (message) => dialog.showErrorBox('Parley', message),
      onClosed: () => {
        mainWindow = null;
        display.dispose();
        void discovery.stop(); // nobody looks at the list any more
        void downloads.abortAll(); // nothing half-written stays behind
      },
      logger,
    });
  };
  openWindow();

  routeLink = (url) => {
    openWindow(); // macOS keeps running without a window; a link brings one back
    links.open(url);
  };
  for (const url of earlyLinks.splice(0)) links.open(url);
  if (launchLink !== null) links.open(launchLink);

  app.on('second-instance', (_event, argv) => {
    openWindow();
    win.show();
    links.openFromArgv(argv);
  });
  app.on('activate', () => {
    openWindow();
    win.show();
  });
  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => {
    quitting = true;
  });

  let cleanedUp = false;
  app.on('will-quit', (event) => {
    if (cleanedUp) return;
    event.preventDefault();
    cleanedUp = true;
    shortcut.release();
    globalShortcut.unregisterAll();
    power.release();
    stopNetworkChecks();
    display.dispose();
    tray.dispose();
    registry.dispose();
    // Close the server's sockets before exit, but never hang the quit on it.
    const stopped = Promise.race([
      Promise.all([server.stop(), discovery.stop(), downloads.abortAll()]),
      new Promise((done) => setTimeout(done, 3000)),
    ]);
    void stopped.finally(() => {
      logger.flush();
      app.quit();
    });
  });
}
