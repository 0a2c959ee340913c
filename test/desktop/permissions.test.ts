import type { Session } from 'electron';
import { describe, expect, it } from 'vitest';
import { installPermissionHandlers } from '../../main/security/hardenSession';
import { decidePermissionCheck, decidePermissionRequest } from '../../main/security/permissionPolicy';
import { silentLogger } from './fakes';

const APP = 'app://parley/index.html';
const FOREIGN_URLS = [
  'https://evil.example/',
  'http://localhost:7300/',
  'file:///etc/passwd',
  'app://parley.evil/index.html',
  'app://evil/index.html',
  'app://parley@evil/index.html',
  'app://parley:8080/index.html',
  'app://раrley/index.html', // Cyrillic "ра"
  'data:text/html,hi',
  '',
];
const ALL_REQUEST_PERMISSIONS = [
  'clipboard-read',
  'clipboard-sanitized-write',
  'display-capture',
  'fullscreen',
  'geolocation',
  'idle-detection',
  'media',
  'mediaKeySystem',
  'midi',
  'midiSysex',
  'notifications',
  'pointerLock',
  'keyboardLock',
  'openExternal',
  'speaker-selection',
  'storage-access',
  'top-level-storage-access',
  'window-management',
  'unknown',
  'fileSystem',
];
const GRANTED_TO_APP = new Set(['media', 'notifications', 'display-capture']);

const request = (permission: string, over: Partial<Parameters<typeof decidePermissionRequest>[0]> = {}) =>
  decidePermissionRequest({
    permission,
    isMainFrame: true,
    requestingUrl: APP,
    securityOrigin: permission === 'media' ? 'app://parley' : undefined,
    mediaTypes: permission === 'media' ? ['audio', 'video'] : undefined,
    electronMajor: 41,
    ...over,
  }).allow;

describe('permission request table', () => {
  it.each(ALL_REQUEST_PERMISSIONS)('%s from the app main frame', (permission) => {
    expect(request(permission)).toBe(GRANTED_TO_APP.has(permission));
  });

  it.each(ALL_REQUEST_PERMISSIONS.flatMap((p) => FOREIGN_URLS.map((url) => [p, url] as const)))(
    '%s from %s is denied',
    (permission, url) => {
      expect(request(permission, { requestingUrl: url })).toBe(false);
    },
  );

  it.each(ALL_REQUEST_PERMISSIONS)('%s from a subframe of the app is denied', (permission) => {
    expect(request(permission, { isMainFrame: false })).toBe(false);
  });

  it('media: audio and video only, from the app origin', () => {
    expect(request('media', { mediaTypes: ['audio'] })).toBe(true);
    expect(request('media', { mediaTypes: ['video'] })).toBe(true);
    expect(request('media', { mediaTypes: ['audio', 'screen'] })).toBe(false);
    expect(request('media', { securityOrigin: 'https://evil.example' })).toBe(false);
  });

  it('media with no types is screen capture before Electron 45, and denied from 45 on (it is display-capture there)', () => {
    expect(request('media', { mediaTypes: [], electronMajor: 41 })).toBe(true);
    expect(request('media', { mediaTypes: [], electronMajor: 45 })).toBe(false);
    expect(request('display-capture', { electronMajor: 45 })).toBe(true);
  });
});

describe('permission check table', () => {
  const check = (permission: string, over: Partial<Parameters<typeof decidePermissionCheck>[0]> = {}) =>
    decidePermissionCheck({
      permission,
      requestingOrigin: 'app://parley',
      isMainFrame: true,
      mediaType: permission === 'media' ? 'audio' : undefined,
      ...over,
    });

  it.each(ALL_REQUEST_PERMISSIONS)('%s check from the app', (permission) => {
    expect(check(permission)).toBe(permission === 'media' || permission === 'notifications');
  });

  it('accepts the origin with the trailing slash Chromium sometimes adds', () => {
    expect(check('notifications', { requestingOrigin: 'app://parley/' })).toBe(true);
  });

  it.each(FOREIGN_URLS)('every check from %s is denied', (origin) => {
    for (const permission of ALL_REQUEST_PERMISSIONS) expect(check(permission, { requestingOrigin: origin })).toBe(false);
  });

  it('media checks: audio and video yes, unknown no, subframes no', () => {
    expect(check('media', { mediaType: 'video' })).toBe(true);
    expect(check('media', { mediaType: 'unknown' })).toBe(false);
    expect(check('media', { isMainFrame: false })).toBe(false);
  });
});

describe('installPermissionHandlers', () => {
  it('routes the session handlers through the policy', () => {
    type RequestHandler = Parameters<Session['setPermissionRequestHandler']>[0];
    type CheckHandler = Parameters<Session['setPermissionCheckHandler']>[0];
    let requestHandler: RequestHandler = null;
    let checkHandler: CheckHandler = null;
    const fakeSession = {
      setPermissionRequestHandler: (h: RequestHandler) => {
        requestHandler = h;
      },
      setPermissionCheckHandler: (h: CheckHandler) => {
        checkHandler = h;
      },
    };
    installPermissionHandlers(fakeSession, { logger: silentLogger, electronMajor: 41 });
    const answers: boolean[] = [];
    const wc = {} as Electron.WebContents;
    const ask = requestHandler as unknown as (
      wc: Electron.WebContents,
      permission: string,
      cb: (ok: boolean) => void,
      details: object,
    ) => void;
    ask(wc, 'media', (ok) => answers.push(ok), {
      isMainFrame: true,
      requestingUrl: APP,
      mediaTypes: ['audio'],
      securityOrigin: 'app://parley',
    });
    ask(wc, 'geolocation', (ok) => answers.push(ok), { isMainFrame: true, requestingUrl: APP });
    ask(wc, 'media', (ok) => answers.push(ok), { isMainFrame: true, requestingUrl: 'https://evil.example/' });
    expect(answers).toEqual([true, false, false]);
    const checkFn = checkHandler as unknown as (wc: null, p: string, origin: string, d: object) => boolean;
    expect(checkFn(null, 'notifications', 'app://parley', { isMainFrame: true })).toBe(true);
    expect(checkFn(null, 'notifications', 'https://evil.example', { isMainFrame: true })).toBe(false);
  });
});
