/**
 * Start at login (settings.startAtLogin, issue 16.4). macOS and Windows: Electron's
 * app.setLoginItemSettings. Linux, where Electron has no login items: an XDG
 * autostart entry, `$XDG_CONFIG_HOME/autostart/parley.desktop` (~/.config/autostart),
 * written when switched on and removed when switched off. Every dependency is
 * injected, so the decisions are tested without Electron (test/desktop/loginItem.test.ts).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Notify } from '../window/rendererEvents';
import { ENGLISH, type MainKey, type MainText, type MainVars } from '../i18n';

export interface LoginItemSettingsLike {
  openAtLogin: boolean;
  path?: string;
  args?: string[];
}

export interface LoginItemOptions {
  platform: NodeJS.Platform;
  /** app.setLoginItemSettings (macOS, Windows). */
  setLoginItemSettings(settings: LoginItemSettingsLike): void;
  /** What to start: process.execPath, and in development the app folder as an argument. */
  command: { path: string; args: readonly string[] };
  /** process.env: XDG_CONFIG_HOME, HOME, APPIMAGE are read. */
  env: Readonly<Record<string, string | undefined>>;
  notify: Notify;
  logger: Logger;
  /** Words the notices in the UI's language of the moment (MainLocale.text); English when absent. */
  text?: MainText;
}

export const AUTOSTART_FILE = 'parley.desktop';

/** Where the XDG autostart entry goes: $XDG_CONFIG_HOME/autostart, else ~/.config/autostart. */
export function autostartDir(env: LoginItemOptions['env']): string | null {
  const configHome = env.XDG_CONFIG_HOME?.trim();
  if (configHome !== undefined && configHome.startsWith('/')) return join(configHome, 'autostart');
  const home = env.HOME?.trim();
  return home !== undefined && home.startsWith('/') ? join(home, '.config', 'autostart') : null;
}

/**
 * One Exec argument, quoted as the Desktop Entry spec asks: inside double quotes,
 * `"`, `` ` ``, `$` and `\` take a backslash; `%` is doubled (field codes).
 */
export function quoteExecArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  if (!/[\s"'\\`$<>~|&;*?#()]/.test(escaped) && escaped !== '') return escaped;
  return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(command: { path: string; args: readonly string[] }): string {
  const exec = [command.path, ...command.args].map(quoteExecArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Parley',
    'Comment=Calls with the people on your Parley server',
    `Exec=${exec}`,
    'Icon=parley',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** An AppImage runs from a new mount each time: start the .AppImage file itself. */
export function startCommand(
  execPath: string,
  devArgs: readonly string[],
  env: LoginItemOptions['env'],
): { path: string; args: readonly string[] } {
  const appImage = env.APPIMAGE?.trim();
  if (appImage !== undefined && appImage.startsWith('/')) return { path: appImage, args: [] };
  return { path: execPath, args: devArgs };
}

export class LoginItemService {
  constructor(private readonly options: LoginItemOptions) {}

  private text(key: MainKey, vars?: MainVars): string {
    return (this.options.text ?? ENGLISH)(key, vars);
  }

  /**
   * Makes the OS start Parley at login, or not. Called at every start (the path
   * may have moved since: an update, another AppImage) and on every change.
   * Failures are logged and told to the person; nothing throws.
   */
  async apply(openAtLogin: boolean): Promise<void> {
    const { platform, logger, notify } = this.options;
    try {
      if (platform === 'linux') await this.applyXdg(openAtLogin);
      else if (platform === 'darwin' || platform === 'win32') {
        const { path, args } = this.options.command;
        this.options.setLoginItemSettings(
          platform === 'win32' ? { openAtLogin, path, args: [...args] } : { openAtLogin },
        );
      } else {
        logger.warn({ platform }, 'start at login is not supported here');
        if (openAtLogin) notify('warning', this.text('mainNotices.loginUnsupported'));
        return;
      }
      logger.info({ openAtLogin, platform }, 'start at login applied');
    } catch (error) {
      logger.error({ err: error, openAtLogin }, 'could not change start at login');
      notify('error', this.text(openAtLogin ? 'mainNotices.loginSetFailed' : 'mainNotices.loginUnsetFailed', { detail: String(error) }));
    }
  }

  private async applyXdg(openAtLogin: boolean): Promise<void> {
    const dir = autostartDir(this.options.env);
    if (dir === null) throw new Error('neither XDG_CONFIG_HOME nor HOME is an absolute path');
    const file = join(dir, AUTOSTART_FILE);
    if (!openAtLogin) {
      await rm(file, { force: true });
      return;
    }
    await mkdir(dir, { recursive: true });
    await writeFile(file, autostartEntry(this.options.command), { mode: 0o644 });
  }
}
