/**
 * Start at login (issue 16.4): Electron's login items on macOS and Windows, an XDG
 * autostart file on Linux (written into a temporary config folder here).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUTOSTART_FILE,
  LoginItemService,
  autostartDir,
  autostartEntry,
  quoteExecArg,
  startCommand,
  type LoginItemSettingsLike,
} from '../../main/loginItem/loginItem';
import { mainText, type MainText } from '../../main/i18n';
import { silentLogger } from './fakes';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-login-'));
  dirs.push(dir);
  return dir;
}

function service(
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
  command = { path: '/opt/Parley/parley', args: [] as string[] },
  text?: MainText,
) {
  const set: LoginItemSettingsLike[] = [];
  const notices: string[] = [];
  const login = new LoginItemService({
    platform,
    setLoginItemSettings: (settings) => void set.push(settings),
    command,
    env,
    notify: (_level, message) => void notices.push(message),
    logger: silentLogger,
    text,
  });
  return { login, set, notices };
}

describe('start at login on Linux (XDG autostart)', () => {
  it('writes ~/.config/autostart/parley.desktop when switched on and removes it when switched off', async () => {
    const home = tempHome();
    const { login, set, notices } = service('linux', { HOME: home });
    const file = join(home, '.config', 'autostart', AUTOSTART_FILE);
    await login.apply(true);
    const entry = readFileSync(file, 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain('Type=Application');
    expect(entry).toContain('Exec=/opt/Parley/parley\n');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    await login.apply(false);
    expect(existsSync(file)).toBe(false);
    await login.apply(false); // already gone: still fine
    expect(set).toEqual([]); // Electron's login items are not used on Linux
    expect(notices).toEqual([]);
  });

  it('follows XDG_CONFIG_HOME, and rewrites an entry whose path went stale', async () => {
    const config = tempHome();
    const first = service('linux', { HOME: '/nonexistent', XDG_CONFIG_HOME: config });
    await first.login.apply(true);
    const moved = service('linux', { HOME: '/nonexistent', XDG_CONFIG_HOME: config }, { path: '/home/a/Apps/Parley 2/parley', args: [] });
    await moved.login.apply(true);
    expect(readFileSync(join(config, 'autostart', AUTOSTART_FILE), 'utf8')).toContain('Exec="/home/a/Apps/Parley 2/parley"\n');
  });

  it('a folder it cannot write is told to the person, and nothing throws', async () => {
    const home = tempHome();
    writeFileSync(join(home, '.config'), 'a file where the folder should be');
    const { login, notices } = service('linux', { HOME: home });
    await login.apply(true);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('could not set itself to start at login');
  });

  it('says it in the UI\'s language (Russian here)', async () => {
    const home = tempHome();
    writeFileSync(join(home, '.config'), 'a file where the folder should be');
    const { login, notices } = service('linux', { HOME: home }, undefined, mainText('ru'));
    await login.apply(true);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('Parley не смог включить запуск при входе');
    const unsupported = service('freebsd', {}, undefined, mainText('ru'));
    await unsupported.login.apply(true);
    expect(unsupported.notices).toEqual(['В этой системе Parley не может запускаться при входе.']);
  });

  it('no HOME and no XDG_CONFIG_HOME: told, nothing written', async () => {
    const { login, notices } = service('linux', {});
    await login.apply(true);
    expect(notices[0]).toContain('HOME');
  });

  it('quotes Exec arguments as the Desktop Entry spec asks', () => {
    expect(quoteExecArg('/usr/bin/parley')).toBe('/usr/bin/parley');
    expect(quoteExecArg('/a b/c')).toBe('"/a b/c"');
    expect(quoteExecArg('50%')).toBe('50%%');
    expect(quoteExecArg('say "$HOME" `x` \\')).toBe('"say \\"\\$HOME\\" \\`x\\` \\\\"');
    expect(autostartEntry({ path: '/usr/lib/electron/electron', args: ['/home/me/parley'] })).toContain(
      'Exec=/usr/lib/electron/electron /home/me/parley\n',
    );
  });

  it('an AppImage starts the .AppImage file, not its temporary mount', () => {
    expect(startCommand('/tmp/.mount_ParleyX/parley', [], { APPIMAGE: '/home/me/Parley.AppImage' })).toEqual({
      path: '/home/me/Parley.AppImage',
      args: [],
    });
    expect(startCommand('/usr/bin/electron', ['/src/parley'], {})).toEqual({ path: '/usr/bin/electron', args: ['/src/parley'] });
    expect(autostartDir({ XDG_CONFIG_HOME: 'relative', HOME: '/home/me' })).toBe('/home/me/.config/autostart');
  });
});

describe('start at login on macOS and Windows (Electron login items)', () => {
  it('macOS: app.setLoginItemSettings({ openAtLogin })', async () => {
    const { login, set } = service('darwin', {});
    await login.apply(true);
    await login.apply(false);
    expect(set).toEqual([{ openAtLogin: true }, { openAtLogin: false }]);
  });

  it('Windows: the executable and its arguments are named', async () => {
    const { login, set } = service('win32', {}, { path: 'C:\\Program Files\\Parley\\Parley.exe', args: [] });
    await login.apply(true);
    expect(set).toEqual([{ openAtLogin: true, path: 'C:\\Program Files\\Parley\\Parley.exe', args: [] }]);
  });

  it('a failure from Electron is told to the person, and nothing throws', async () => {
    const notices: string[] = [];
    const login = new LoginItemService({
      platform: 'darwin',
      setLoginItemSettings: () => {
        throw new Error('SMAppService refused');
      },
      command: { path: '/Applications/Parley.app', args: [] },
      env: {},
      notify: (_level, message) => void notices.push(message),
      logger: silentLogger,
    });
    await login.apply(true);
    expect(notices[0]).toContain('SMAppService refused');
  });
});
