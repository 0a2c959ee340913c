/**
 * Locks down one webContents: no navigation away from the app, no new windows, no
 * <webview> (Electron security checklist §11, §12, §13, §14). main/index.ts applies
 * it to every webContents Electron creates ('web-contents-created'), so a window
 * added later cannot forget it.
 */
import type { WebContents } from 'electron';
import type { Logger } from 'pino';
import { decideNavigation } from './navigationPolicy';

export type HardenableWebContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export interface HardenOptions {
  /** shell.openExternal; receives only URLs that passed navigationPolicy. */
  openExternal(url: string): Promise<void>;
  logger: Logger;
}

export function hardenWebContents(contents: HardenableWebContents, options: HardenOptions): void {
  const { logger } = options;
  const openOutside = (url: string | null): void => {
    if (url === null) return;
    options.openExternal(url).catch((error: unknown) => {
      logger.warn({ url, err: error }, 'the system browser did not open the link');
    });
  };

  contents.on('will-navigate', (event) => {
    const decision = decideNavigation(event.url);
    event.preventDefault();
    logger.warn({ url: event.url, openedExternally: decision.openExternally !== null }, 'navigation denied');
    openOutside(decision.openExternally);
  });

  contents.on('will-redirect', (event) => {
    event.preventDefault();
    logger.warn({ url: event.url }, 'redirect denied');
  });

  // Subframes should not exist (CSP frame-src 'none'); if one tries to navigate, stop it.
  // The main frame is covered by will-navigate, which skips same-document navigations.
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame) return;
    event.preventDefault();
    logger.warn({ url: event.url }, 'subframe navigation denied');
  });

  contents.setWindowOpenHandler((details) => {
    const decision = decideNavigation(details.url);
    logger.info({ url: details.url, openedExternally: decision.openExternally !== null }, 'window.open denied');
    openOutside(decision.openExternally);
    return { action: 'deny' };
  });

  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger.warn('a <webview> was refused');
  });
}
