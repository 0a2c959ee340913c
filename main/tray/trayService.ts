/**
 * The tray as a phone: icon and menu follow the renderer's call-state report; menu
 * clicks become bridge events for the window.
 *
 * Electron objects come in as options (Signal Desktop's SystemTrayService pattern),
 * so tests drive it with a fake Tray and Menu. Some Linux desktops have no tray at
 * all (GNOME without the AppIndicator extension): creating the Tray then throws or
 * shows nothing, and the app must go on from its window — `available` says which.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { Logger } from 'pino';
import { EVENT_CHANNELS, type CallStateReport } from '../../preload/contract';
import { ENGLISH, type MainText } from '../i18n';
import type { RendererEvents } from '../window/rendererEvents';
import {
  DEFAULT_TRAY_MENU_OPTIONS,
  buildTrayMenu,
  trayIconState,
  trayToolTip,
  type TrayAction,
  type TrayIconState,
  type TrayMenuItem,
  type TrayMenuOptions,
} from './trayMenu';

/** The part of Electron's Tray this uses. */
export interface TrayLike<M> {
  setImage(iconPath: string): void;
  setToolTip(text: string): void;
  setContextMenu(menu: M | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayServiceOptions<M> {
  /** new Tray(iconPath); may throw where there is no system tray. */
  createTray(iconPath: string): TrayLike<M>;
  /** Menu.buildFromTemplate. */
  buildMenu(template: MenuItemConstructorOptions[]): M;
  iconPath(state: TrayIconState): string;
  events: RendererEvents;
  showWindow(): void;
  quit(): void;
  logger: Logger;
  /** Reports can come many times a second while contacts change presence. */
  debounceMs?: number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  menuOptions?: TrayMenuOptions;
  /** Translates in main's language of the moment (MainLocale.text); English if absent. */
  text?: MainText;
}

/** Turns the pure template into Electron's, with clicks routed to `onAction`. */
export function toMenuTemplate(
  items: readonly TrayMenuItem[],
  onAction: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((item) => {
    const out: MenuItemConstructorOptions = {};
    if (item.label !== undefined) out.label = item.label;
    if (item.type !== undefined) out.type = item.type;
    if (item.enabled !== undefined) out.enabled = item.enabled;
    if (item.checked !== undefined) out.checked = item.checked;
    if (item.submenu !== undefined) out.submenu = toMenuTemplate(item.submenu, onAction);
    const action = item.action;
    if (action !== undefined) out.click = () => onAction(action);
    return out;
  });
}

export class TrayService<M> {
  private tray: TrayLike<M> | null = null;
  private report: CallStateReport | null = null;
  private applied: string | null = null;
  private timer: unknown = null;
  private readonly debounceMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: TrayServiceOptions<M>) {
    this.debounceMs = options.debounceMs ?? 250;
    this.setTimer = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimeout ?? ((handle) => clearTimeout(handle as NodeJS.Timeout));
  }

  /** Creates the tray icon; false when this desktop has no tray. */
  start(): boolean {
    if (this.tray !== null) return true;
    try {
      this.tray = this.options.createTray(this.options.iconPath(trayIconState(null)));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'no system tray here; Parley works from its window');
      return false;
    }
    // Windows and macOS: a left click shows the window. (Linux AppIndicator has no click; the menu has "Show Parley".)
    this.tray.on('click', () => this.options.showWindow());
    this.flush();
    return true;
  }

  get available(): boolean {
    return this.tray !== null;
  }

  /** The renderer's latest report; the tray catches up after a short quiet spell. */
  update(report: CallStateReport): void {
    this.report = report;
    if (this.tray === null || this.timer !== null) return;
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.flush();
    }, this.debounceMs);
  }

  /** The language changed: rebuild the menu and tooltip now, not at the next report. */
  relabel(): void {
    this.applied = null;
    this.flush();
  }

  dispose(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.tray?.destroy();
    this.tray = null;
  }

  private flush(): void {
    const tray = this.tray;
    if (tray === null) return;
    const key = JSON.stringify(this.report);
    if (key === this.applied) return;
    this.applied = key;
    const text = this.options.text ?? ENGLISH;
    const template = toMenuTemplate(
      buildTrayMenu(this.report, this.options.menuOptions ?? DEFAULT_TRAY_MENU_OPTIONS, text),
      (action) => this.dispatch(action),
    );
    try {
      tray.setImage(this.options.iconPath(trayIconState(this.report)));
      tray.setToolTip(trayToolTip(this.report, text));
      tray.setContextMenu(this.options.buildMenu(template));
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not update the tray');
    }
  }

  private dispatch(action: TrayAction): void {
    const { events, showWindow, quit } = this.options;
    switch (action.kind) {
      case 'call':
        events.send(EVENT_CHANNELS.callRequested, action.request);
        showWindow();
        return;
      case 'call-action':
        events.send(EVENT_CHANNELS.callAction, action.action);
        // Answering or asking to see the call needs the window; muting from the tray does not.
        if (action.action.type === 'show-call' || action.action.type === 'accept') showWindow();
        return;
      case 'show-window':
        showWindow();
        return;
      case 'quit':
        quit();
        return;
    }
  }
}
