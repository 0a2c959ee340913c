/**
 * Where the app's files are, relative to app.getAppPath(): the project folder in
 * development (`electron .`), the app.asar in a package. electron-builder.yml puts
 * dist/** and the runtime icons (build/tray, build/icon.png) in the package.
 */
import { join } from 'node:path';
import type { TrayIconState } from './tray/trayMenu';

export interface AppPaths {
  rendererDir: string;
  preload: string;
  appIcon: string;
  trayIcon(state: TrayIconState): string;
}

export function appPaths(appRoot: string): AppPaths {
  return {
    rendererDir: join(appRoot, 'dist', 'renderer'),
    preload: join(appRoot, 'dist', 'preload', 'index.cjs'),
    appIcon: join(appRoot, 'build', 'icon.png'),
    // Electron picks `<name>@2x.png` next to it on HiDPI screens.
    trayIcon: (state) => join(appRoot, 'build', 'tray', `${state}.png`),
  };
}
