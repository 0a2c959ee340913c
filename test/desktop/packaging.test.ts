import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterEach, describe, expect, it } from 'vitest';
import { TRAY_ICON_STATES } from '../../main/tray/trayMenu';
import { appPaths } from '../../main/paths';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const require = createRequire(import.meta.url);

interface PackContext {
  appOutDir: string;
  electronPlatformName: string;
  arch: number;
  packager: { executableName: string; appInfo: { productFilename: string } };
}
type AfterPack = ((context: PackContext) => Promise<void>) & {
  fuseConfig(context: PackContext): Record<string, unknown>;
  electronBinaryPath(context: PackContext): string;
};
const afterPack = require('../../build/afterPack.cjs') as AfterPack;

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ENABLE = 49;
const DISABLE = 48;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const context = (appOutDir: string, electronPlatformName = 'linux'): PackContext => ({
  appOutDir,
  electronPlatformName,
  arch: 1,
  packager: { executableName: 'parley', appInfo: { productFilename: 'Parley' } },
});

describe('afterPack fuses', () => {
  it('flips every fuse Parley relies on in the packaged binary', async () => {
    const out = mkdtempSync(join(tmpdir(), 'parley-pack-'));
    dirs.push(out);
    // A stand-in Electron binary: Electron's default fuse wire (RunAsNode, NODE_OPTIONS and
    // --inspect on; cookie encryption, asar integrity and asar-only off) between filler bytes.
    const wire = [ENABLE, DISABLE, ENABLE, ENABLE, DISABLE, DISABLE, DISABLE, ENABLE];
    const binary = Buffer.concat([
      Buffer.from('\x7fELF fake electron binary '),
      Buffer.from(SENTINEL, 'ascii'),
      Buffer.from([1, wire.length, ...wire]),
      Buffer.from(' trailing bytes'),
    ]);
    writeFileSync(join(out, 'parley'), binary);

    await afterPack(context(out));

    const fuses = (await getCurrentFuseWire(join(out, 'parley'))) as unknown as Record<number, number>;
    expect(fuses[FuseV1Options.RunAsNode]).toBe(DISABLE);
    expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(DISABLE);
    expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(DISABLE);
    expect(fuses[FuseV1Options.EnableCookieEncryption]).toBe(ENABLE);
    expect(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ENABLE);
    expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ENABLE);
    expect(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(DISABLE);
    // A fuse we do not set stays as Electron ships it.
    expect(fuses[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(DISABLE);
    expect(readFileSync(join(out, 'parley')).length).toBe(binary.length);
  });

  it('finds the binary on each platform and re-signs ad hoc only on Apple Silicon', () => {
    expect(afterPack.electronBinaryPath(context('/out', 'linux'))).toBe(join('/out', 'parley'));
    expect(afterPack.electronBinaryPath(context('/out', 'win32'))).toBe(join('/out', 'Parley.exe'));
    expect(afterPack.electronBinaryPath(context('/out', 'darwin'))).toBe(join('/out', 'Parley.app'));
    expect(afterPack.fuseConfig({ ...context('/out', 'darwin'), arch: 3 }).resetAdHocDarwinSignature).toBe(true);
    expect(afterPack.fuseConfig({ ...context('/out', 'darwin'), arch: 1 }).resetAdHocDarwinSignature).toBe(false);
    expect(afterPack.fuseConfig(context('/out', 'linux')).resetAdHocDarwinSignature).toBe(false);
  });
});

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  afterPack: string;
  protocols: Array<{ schemes: string[] }>;
  linux: { target: string[] };
  mac: { target: string[]; extendInfo: Record<string, string> };
  win: { target: string[] };
}

describe('electron-builder.yml', () => {
  const yaml = require('js-yaml') as { load(text: string): unknown };
  const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

  it("passes electron-builder's own schema validation", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration(config: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, notAnOption: 1 }, new DebugLogger(false))).rejects.toThrow();
  });

  it('packages the app bundles and the runtime icons, with the fuse hook, per platform', () => {
    expect(config.appId).toBe('app.parley.desktop');
    expect(config.productName).toBe('Parley');
    expect(config.files).toEqual(expect.arrayContaining(['dist/**', 'package.json', 'build/tray/**', 'build/icon.png']));
    expect(config.afterPack).toBe('build/afterPack.cjs');
    expect(config.protocols.flatMap((p) => p.schemes)).toEqual(['parley']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.extendInfo.NSCameraUsageDescription).toMatch(/camera/);
    expect(config.mac.extendInfo.NSMicrophoneUsageDescription).toMatch(/microphone/);
  });
});

function pngSize(path: string): { width: number; height: number; pixels: number } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let offset = 8; offset < bytes.length; ) {
    const length = bytes.readUInt32BE(offset);
    if (bytes.toString('ascii', offset + 4, offset + 8) === 'IDAT') idat.push(bytes.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  // Opaque pixels (RGBA rows, one filter byte each): an icon that is all transparent is a bug.
  let pixels = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((raw[y * (width * 4 + 1) + 1 + x * 4 + 3] ?? 0) > 0) pixels++;
  return { width, height, pixels };
}

describe('icons', () => {
  const paths = appPaths(root);

  it.each(TRAY_ICON_STATES)('the %s tray icon exists at 16 px and 32 px (@2x)', (state) => {
    expect(pngSize(paths.trayIcon(state))).toMatchObject({ width: 16, height: 16 });
    expect(pngSize(paths.trayIcon(state)).pixels).toBeGreaterThan(50);
    expect(pngSize(paths.trayIcon(state).replace(/\.png$/, '@2x.png'))).toMatchObject({ width: 32, height: 32 });
  });

  it('the app icon is a 512×512 PNG and the Windows icon holds sizes up to 256', () => {
    expect(pngSize(paths.appIcon)).toMatchObject({ width: 512, height: 512 });
    const ico = readFileSync(join(root, 'build', 'icon.ico'));
    expect(ico.readUInt16LE(2)).toBe(1);
    const sizes = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + 16 * i] || 256);
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });
});
