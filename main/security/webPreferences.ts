/**
 * The one set of webPreferences every Parley window uses (Electron security
 * checklist §2, §3, §4, §6, §8, §9, §10, §12). Spelled out even where it matches
 * Electron's default, so a future default change or a careless edit is visible here
 * and in test/desktop/windowSecurity.test.ts.
 */
import type { WebPreferences } from 'electron';

export function secureWebPreferences(preloadPath: string, options: { devTools: boolean }): WebPreferences {
  return {
    preload: preloadPath,
    // Off in a packaged app: DevTools would let anyone at the keyboard run code as the page.
    devTools: options.devTools,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: true,
    // Middle-click on a link would open it as a new window; we never want that path.
    disableBlinkFeatures: 'Auxclick',
  };
}
