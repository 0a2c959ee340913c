import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler, resolveAppPath } from '../../main/protocol/appProtocol';
import { CONTENT_SECURITY_POLICY } from '../../main/security/contentSecurityPolicy';
import { silentLogger } from './fakes';

let base = '';
let root = '';
let handler: ReturnType<typeof createAppProtocolHandler>;

beforeAll(() => {
  // base/secret.txt sits next to the renderer root; nothing may reach it.
  base = mkdtempSync(join(tmpdir(), 'parley-protocol-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(base, 'secret.txt'), 'TOP SECRET');
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Parley</title>');
  writeFileSync(join(root, 'assets', 'app-1234.js'), 'console.log("hi")');
  writeFileSync(join(root, 'assets', 'app-1234.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'ring.ogg'), 'OggS');
  writeFileSync(join(root, 'assets', 'logo.svg'), '<svg/>');
  writeFileSync(join(root, 'assets', 'data.bin'), 'x');
  writeFileSync(join(root, '.env'), 'SECRET=1');
  symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'escape.txt'));
  handler = createAppProtocolHandler({ rootDir: root, logger: silentLogger });
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

const get = (url: string, method = 'GET') => handler({ url, method });

const TRAVERSAL: string[] = [
  'app://parley/../secret.txt',
  'app://parley/%2e%2e/secret.txt',
  'app://parley/%2E%2E/secret.txt',
  'app://parley/.%2e/secret.txt',
  'app://parley/assets/%2e%2e/%2e%2e/secret.txt',
  'app://parley/..%2fsecret.txt',
  'app://parley/..%2Fsecret.txt',
  'app://parley/assets%2f..%2f..%2fsecret.txt',
  'app://parley/%252e%252e/secret.txt',
  'app://parley/..%5csecret.txt',
  'app://parley/..\\secret.txt',
  'app://parley/assets\\..\\..\\secret.txt',
  'app://parley/%5c..%5csecret.txt',
  'app://parley//etc/passwd',
  'app://parley/%2fetc%2fpasswd',
  'app://parley/C:/Windows/win.ini',
  'app://parley/C%3A%5CWindows%5Cwin.ini',
  'app://parley/index.html%00.png',
  'app://parley/index.html%00',
  'app://parley/%00',
  'app://parley/%ZZ',
  'app://parley/.env',
  'app://parley/assets/',
  'app://parley/assets',
  'app://parley/assets/escape.txt',
  'app://parley/index.html::$DATA',
  'app://parley/missing.js',
  'app://evil/index.html',
  'app://parley.evil/index.html',
  'https://parley/index.html',
  'file:///etc/passwd',
];

describe('app:// protocol', () => {
  it.each(TRAVERSAL)('%s → 404, never a file outside the renderer folder', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('TOP SECRET');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it.each([
    ['app://parley/', 'text/html; charset=utf-8', '<!doctype html>'],
    ['app://parley/index.html', 'text/html; charset=utf-8', '<!doctype html>'],
    ['app://parley/index.html?x=1#y', 'text/html; charset=utf-8', '<!doctype html>'],
    ['app://parley/assets/app-1234.js', 'text/javascript; charset=utf-8', 'console.log'],
    ['app://parley/assets/app-1234.css', 'text/css; charset=utf-8', 'body'],
    ['app://parley/assets/ring.ogg', 'audio/ogg', 'OggS'],
    ['app://parley/assets/logo.svg', 'image/svg+xml', '<svg'],
    ['app://parley/assets/data.bin', 'application/octet-stream', 'x'],
    ['app://parley/assets/./app-1234.css', 'text/css; charset=utf-8', 'body'],
  ])('%s → 200 %s', async (url, type, start) => {
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect((await response.text()).startsWith(start)).toBe(true);
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get('app://parley/index.html', 'POST')).status).toBe(405);
    const head = await get('app://parley/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('resolveAppPath explains its refusals', () => {
    expect(resolveAppPath('app://parley/..%2fx')).toEqual({ ok: false, reason: 'dot segment' });
    expect(resolveAppPath('app://parley/a%5cb')).toEqual({ ok: false, reason: 'backslash' });
    expect(resolveAppPath('app://parley/a%00')).toEqual({ ok: false, reason: 'null byte' });
    expect(resolveAppPath('app://parley/assets/app.js')).toEqual({ ok: true, segments: ['assets', 'app.js'] });
  });
});
