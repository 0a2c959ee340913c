/**
 * What services may do to the main window, and the pure rules for showing,
 * hiding and closing it.
 */
import type { BrowserWindow } from 'electron';

export interface WindowControl {
  /** Restore, show and focus (a tray click, "Show Parley", a deep link). */
  show(): void;
  /** Ask for attention without taking focus (ringing), or stop asking. */
  attention(on: boolean): void;
}

export type WindowLike = Pick<
  BrowserWindow,
  'isDestroyed' | 'isMinimized' | 'isVisible' | 'restore' | 'show' | 'focus' | 'showInactive' | 'flashFrame'
>;

/** WindowControl over whatever window is current (it may not exist yet, or be gone). */
export function windowControl(current: () => WindowLike | null): WindowControl {
  return {
    show() {
      const win = current();
      if (win === null || win.isDestroyed()) return;
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    },
    attention(on) {
      const win = current();
      if (win === null || win.isDestroyed()) return;
      if (on && !win.isVisible()) win.showInactive();
      win.flashFrame(on);
    },
  };
}

export type InitialWindowState = 'shown' | 'hidden' | 'minimised';

/**
 * How the window starts. "Start minimised" means "in the tray" when there is one;
 * without a tray the window is minimised to the taskbar instead, so the person can
 * still find it. A launch from a deep link always shows the window.
 */
export function initialWindowState(input: {
  startMinimised: boolean;
  trayAvailable: boolean;
  launchedWithDeepLink: boolean;
}): InitialWindowState {
  if (!input.startMinimised || input.launchedWithDeepLink) return 'shown';
  return input.trayAvailable ? 'hidden' : 'minimised';
}

/**
 * Closing the window hides it to the tray while the app keeps running (calls keep
 * ringing), unless the person is quitting or there is no tray to come back from.
 */
export function shouldHideOnClose(input: { quitting: boolean; closeToTray: boolean; trayAvailable: boolean }): boolean {
  return !input.quitting && input.closeToTray && input.trayAvailable;
}

/** Render-process exits that are not a crash: nothing to recover from. */
const NOT_A_CRASH = new Set(['clean-exit', 'killed']);

/**
 * After the renderer crashes the window is blank; a softphone that silently stops
 * ringing is worse than a reload, so reload — but not in a loop if it keeps crashing.
 */
export function shouldReloadAfterCrash(reason: string, lastReloadAt: number | null, now: number, minIntervalMs = 30_000): boolean {
  if (NOT_A_CRASH.has(reason)) return false;
  return lastReloadAt === null || now - lastReloadAt >= minIntervalMs;
}
