/**
 * A stand-in for the 'electron' module, complete enough to run main/index.ts (the
 * composition root) in Node: it records what main asks of Electron and lets the
 * test play the part of the OS and the renderer. Used with vi.mock('electron').
 */
import { EventEmitter } from 'node:events';

type Handler = (...args: unknown[]) => unknown;

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

export class FakeWebContents extends EventEmitter {
  readonly mainFrame: FakeFrame = { url: 'app://parley/index.html', parent: null };
  readonly sent: Array<[string, unknown]> = [];
  ipPolicy: string | null = null;
  windowOpenHandler: Handler | null = null;
  destroyed = false;
  reloads = 0;
  reload(): void {
    this.reloads++;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  setWebRTCIPHandlingPolicy(policy: string): void {
    this.ipPolicy = policy;
  }
  setWindowOpenHandler(handler: Handler): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly calls: string[] = [];
  loadedUrl: string | null = null;
  visible = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
    fake.app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
  }
  isDestroyed(): boolean {
    return false;
  }
  isMinimized(): boolean {
    return false;
  }
  isVisible(): boolean {
    return this.visible;
  }
  restore(): void {
    this.calls.push('restore');
  }
  show(): void {
    this.visible = true;
    this.calls.push('show');
  }
  showInactive(): void {
    this.visible = true;
    this.calls.push('showInactive');
  }
  hide(): void {
    this.visible = false;
    this.calls.push('hide');
  }
  focus(): void {
    this.calls.push('focus');
  }
  minimize(): void {
    this.calls.push('minimize');
  }
  flashFrame(on: boolean): void {
    this.calls.push(`flash:${on}`);
  }
}

class FakeApp extends EventEmitter {
  isPackaged = true;
  userData = '';
  appPath = '';
  readonly calls: string[] = [];
  quitRequests = 0;
  exited = false;
  private markReady: () => void = () => undefined;
  private readonly ready = new Promise<void>((resolve) => {
    this.markReady = resolve;
  });
  becomeReady(): void {
    this.markReady();
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  getPath(name: string): string {
    // The OS Downloads folder stands inside the test's userData folder.
    if (name === 'downloads') return `${this.userData}/Downloads`;
    if (name !== 'userData') throw new Error(`unexpected getPath(${name})`);
    return this.userData;
  }
  getAppPath(): string {
    return this.appPath;
  }
  getVersion(): string {
    return '0.1.0-test';
  }
  /** The OS's languages, as Electron gives them (main follows them when settings.language is 'system'). */
  systemLanguages: string[] = ['en-US'];
  getPreferredSystemLanguages(): string[] {
    return this.systemLanguages;
  }
  getLocale(): string {
    return this.systemLanguages[0] ?? 'en-US';
  }
  requestSingleInstanceLock(): boolean {
    return true;
  }
  /** Chromium switches the app was started with (none here). */
  readonly commandLine = { getSwitchValue: (_name: string): string => '' };
  setLoginItemSettings(settings: { openAtLogin?: boolean }): void {
    this.calls.push(`loginItem:${settings.openAtLogin === true}`);
  }
  enableSandbox(): void {
    this.calls.push('enableSandbox');
  }
  setAsDefaultProtocolClient(scheme: string): boolean {
    this.calls.push(`protocolClient:${scheme}`);
    return true;
  }
  setAppUserModelId(id: string): void {
    this.calls.push(`appUserModelId:${id}`);
  }
  /** Like Electron: before-quit, then will-quit (cancellable), then exit. */
  quit(): void {
    this.quitRequests++;
    this.emit('before-quit', { preventDefault: () => undefined });
    let prevented = false;
    this.emit('will-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.exited = true;
  }
  exit(): void {
    this.exited = true;
  }
}

class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  readonly listeners = new Map<string, Handler[]>();
  handle(channel: string, handler: Handler): void {
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: Handler): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }
  removeListener(channel: string, listener: Handler): this {
    this.listeners.set(channel, (this.listeners.get(channel) ?? []).filter((l) => l !== listener));
    return this;
  }
  /** As ipcRenderer.invoke from `contents`' frame would arrive. */
  async invoke(contents: FakeWebContents, frame: FakeFrame, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
    return handler({ sender: contents, senderFrame: frame }, ...args);
  }
  send(contents: FakeWebContents, frame: FakeFrame, channel: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener({ sender: contents, senderFrame: frame }, ...args);
  }
}

export class FakeTray extends EventEmitter {
  static readonly instances: FakeTray[] = [];
  image: string;
  toolTip = '';
  menu: unknown = null;
  destroyed = false;
  constructor(image: string) {
    super();
    this.image = image;
    FakeTray.instances.push(this);
  }
  setImage(image: string): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.toolTip = text;
  }
  setContextMenu(menu: unknown): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class FakeNotification extends EventEmitter {
  static readonly instances: FakeNotification[] = [];
  static isSupported(): boolean {
    return true;
  }
  shown = false;
  closed = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeNotification.instances.push(this);
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
  }
}

const registered: { schemes: unknown[]; handlers: Map<string, Handler> } = { schemes: [], handlers: new Map() };
const sessionCalls: Record<string, Handler | null> = {};
const shortcuts = new Map<string, Handler>();
const blockers = new Map<number, string>();
let nextBlocker = 1;

export const fake = {
  app: new FakeApp(),
  ipcMain: new FakeIpcMain(),
  registered,
  sessionCalls,
  shortcuts,
  blockers,
  opened: [] as string[],
  errors: [] as string[],
  /** Folders shown with shell.showItemInFolder; the folder the fake open dialog answers with (null: cancelled). */
  shownInFolder: [] as string[],
  openDialogAnswer: null as string | null,
  applicationMenu: undefined as unknown,
  /** Electron's powerMonitor is an EventEmitter of OS power events. */
  powerMonitor: new EventEmitter(),
};

export const electronModule = {
  app: fake.app,
  BrowserWindow: FakeBrowserWindow,
  Tray: FakeTray,
  Notification: FakeNotification,
  ipcMain: fake.ipcMain,
  Menu: {
    buildFromTemplate: (template: unknown) => ({ template }),
    setApplicationMenu: (menu: unknown) => {
      fake.applicationMenu = menu;
    },
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => registered.schemes.push(...schemes),
    handle: (scheme: string, handler: Handler) => registered.handlers.set(scheme, handler),
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (h: Handler | null) => (sessionCalls.permissionRequest = h),
      setPermissionCheckHandler: (h: Handler | null) => (sessionCalls.permissionCheck = h),
      setDevicePermissionHandler: (h: Handler | null) => (sessionCalls.devicePermission = h),
      setDisplayMediaRequestHandler: (h: Handler | null) => (sessionCalls.displayMedia = h),
      setCertificateVerifyProc: (h: Handler | null) => (sessionCalls.certificateVerify = h),
      closeAllConnections: async () => undefined,
    },
  },
  shell: {
    openExternal: async (url: string) => {
      fake.opened.push(url);
    },
    showItemInFolder: (path: string) => void fake.shownInFolder.push(path),
  },
  dialog: {
    showErrorBox: (title: string, message: string) => fake.errors.push(`${title}: ${message}`),
    showOpenDialog: async (..._args: unknown[]) =>
      fake.openDialogAnswer === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [fake.openDialogAnswer] },
  },
  desktopCapturer: {
    getSources: async () => [],
  },
  globalShortcut: {
    register: (accelerator: string, callback: Handler) => {
      shortcuts.set(accelerator, callback);
      return true;
    },
    unregister: (accelerator: string) => shortcuts.delete(accelerator),
    unregisterAll: () => shortcuts.clear(),
  },
  /** Tests emit 'resume' / 'unlock-screen' on it. */
  powerMonitor: fake.powerMonitor,
  powerSaveBlocker: {
    start: (type: string) => {
      blockers.set(nextBlocker, type);
      return nextBlocker++;
    },
    stop: (id: number) => blockers.delete(id),
    isStarted: (id: number) => blockers.has(id),
  },
};
