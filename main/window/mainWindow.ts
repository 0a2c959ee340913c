/**
 * Creates Parley's one window: secure webPreferences, the WebRTC address policy,
 * close-to-tray, and the hooks that tell the event queue when the page (re)loads.
 * Thin glue over BrowserWindow; the decisions are in windowControl.ts and
 * security/*.ts.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import type { Logger } from 'pino';
import { APP_ENTRY_URL } from '../appUrl';
import { secureWebPreferences } from '../security/webPreferences';
import { webRtcIpPolicyFor } from '../security/webRtcPolicy';
import type { RendererEventQueue } from './rendererEvents';
import { shouldHideOnClose, shouldReloadAfterCrash, type InitialWindowState } from './windowControl';

export interface MainWindowOptions {
  createWindow(options: BrowserWindowConstructorOptions): BrowserWindow;
  preload: string;
  icon: string;
  devTools: boolean;
  relayOnly: boolean;
  initialState: InitialWindowState;
  events: RendererEventQueue;
  /** Read at close time: the settings may have changed since. */
  hideOnClose(): { quitting: boolean; closeToTray: boolean; trayAvailable: boolean };
  onLoadFailed(message: string): void;
  onClosed(): void;
  logger: Logger;
}

export function windowOptions(preload: string, icon: string, devTools: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1024,
    height: 720,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'Parley',
    icon,
    backgroundColor: '#0f172a',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preload, { devTools }),
  };
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const { events, logger } = options;
  const win = options.createWindow(windowOptions(options.preload, options.icon, options.devTools));
  const contents = win.webContents;
  contents.setWebRTCIPHandlingPolicy(webRtcIpPolicyFor({ relayOnly: options.relayOnly }));

  events.attach(contents);
  contents.on('did-start-loading', () => events.pageLoading());
  contents.on('did-finish-load', () => events.pageLoaded());
  contents.on('did-fail-load', (_event, code, description, url, isMainFrame) => {
    if (!isMainFrame) return;
    logger.error({ code, description, url }, 'the window failed to load');
    options.onLoadFailed(`Parley's window could not load ${url} (${description}). If you run from source, build first: npm run build.`);
  });
  let lastCrashReload: number | null = null;
  contents.on('render-process-gone', (_event, details) => {
    logger.error({ reason: details.reason, exitCode: details.exitCode }, 'the renderer process is gone');
    events.pageLoading();
    const now = Date.now();
    if (!win.isDestroyed() && shouldReloadAfterCrash(details.reason, lastCrashReload, now)) {
      lastCrashReload = now;
      contents.reload();
    }
  });

  win.on('close', (event) => {
    if (shouldHideOnClose(options.hideOnClose())) {
      event.preventDefault();
      win.hide();
    }
  });
  win.on('closed', () => {
    events.attach(null);
    options.onClosed();
  });
  // Ringing flashes the taskbar entry; looking at the window stops it.
  win.on('focus', () => win.flashFrame(false));

  win.once('ready-to-show', () => {
    if (options.initialState === 'shown') {
      win.show();
    } else if (options.initialState === 'minimised') {
      win.showInactive();
      win.minimize();
    }
  });

  win.loadURL(APP_ENTRY_URL).catch((error: unknown) => {
    logger.error({ err: error }, 'loadURL failed');
  });
  return win;
}
