import { describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, parseDeepLink, parseInviteLink } from '../../preload/contract';
import { DeepLinkRouter, deepLinkFromArgv } from '../../main/deepLinks/deepLinks';
import { RecordingEvents, RecordingWindow, silentLogger } from './fakes';

describe('deep-link parsing (contract parseDeepLink)', () => {
  it.each([
    ['parley://call/user_ABC-123', { userId: 'user_ABC-123', media: 'audio' }],
    ['parley://call/user_ABC-123/', { userId: 'user_ABC-123', media: 'audio' }],
    ['parley://call/user_ABC-123?media=video', { userId: 'user_ABC-123', media: 'video' }],
    ['parley://call/user_ABC-123?media=audio&x=1', { userId: 'user_ABC-123', media: 'audio' }],
    ['PARLEY://CALL/user_ABC-123', { userId: 'user_ABC-123', media: 'audio' }],
  ])('%s → %j', (link, expected) => {
    expect(parseDeepLink(link)).toEqual(expected);
  });

  it.each([
    'parley://call/',
    'parley://call/short',
    'parley://call/user_ABC-123?media=screen',
    'parley://call/user_ABC-123/extra',
    'parley://call/..%2F..%2Fetc',
    'parley://call/user%00ABC-123',
    'parley://chat/user_ABC-123',
    'parley://evil@call/user_ABC-123',
    'parley://call:8080/user_ABC-123',
    'parley://call/<script>alert(1)</script>',
    `parley://call/${'a'.repeat(65)}`,
    'https://call/user_ABC-123',
    'javascript:alert(1)//parley://call/user_ABC-123',
    'parley:call/user_ABC-123',
    'not a link',
    '',
  ])('%s → null', (link) => {
    expect(parseDeepLink(link)).toBeNull();
  });
});

describe('deep links from the command line', () => {
  it('finds the link among Chromium switches and paths', () => {
    expect(
      deepLinkFromArgv(['/opt/Parley/parley', '--no-sandbox', '--allow-file-access-from-files', 'parley://call/user_ABC-123']),
    ).toBe('parley://call/user_ABC-123');
    expect(deepLinkFromArgv(['electron', '/work/main', '--inspect'])).toBeNull();
  });
});

describe('DeepLinkRouter', () => {
  it('shows the window and asks the renderer to call', () => {
    const events = new RecordingEvents();
    const window = new RecordingWindow();
    const router = new DeepLinkRouter({ events, window, logger: silentLogger });
    expect(router.openFromArgv(['parley.exe', 'parley://call/user_ABC-123?media=video'])).toBe(true);
    expect(window.calls).toEqual(['show']);
    expect(events.sent).toEqual([
      { channel: EVENT_CHANNELS.callRequested, payload: { userId: 'user_ABC-123', media: 'video', via: 'link' } },
    ]);
  });

  it('ignores a link it cannot parse', () => {
    const events = new RecordingEvents();
    const window = new RecordingWindow();
    const router = new DeepLinkRouter({ events, window, logger: silentLogger });
    expect(router.open('parley://call/../../etc/passwd')).toBe(false);
    expect(events.sent).toEqual([]);
    expect(window.calls).toEqual([]);
  });

  it('shows the window and hands an invite link to the renderer, which asks before adding', () => {
    const events = new RecordingEvents();
    const window = new RecordingWindow();
    const router = new DeepLinkRouter({ events, window, logger: silentLogger });
    expect(router.openFromArgv(['parley.exe', 'parley://add/AbCdEfGhIjKlMnOpQrStUv/s3cr3t-s3cr3t-s3cr3t'])).toBe(true);
    expect(window.calls).toEqual(['show']);
    expect(events.sent).toEqual([
      { channel: EVENT_CHANNELS.inviteOpened, payload: { userId: 'AbCdEfGhIjKlMnOpQrStUv', secret: 's3cr3t-s3cr3t-s3cr3t' } },
    ]);
  });

  it.each([
    'parley://add/AbCdEfGhIjKlMnOpQrStUv',
    'parley://add/AbCdEfGhIjKlMnOpQrStUv/short',
    'parley://add/AbCdEfGhIjKlMnOpQrStUv/s3cr3t-s3cr3t-s3cr3t/x',
    'parley://add/AbCdEfGhIjKlMnOpQrStUv/s3cr3t-s3cr3t-s3cr3t?call=1',
    'parley://x@add/AbCdEfGhIjKlMnOpQrStUv/s3cr3t-s3cr3t-s3cr3t',
    'parley://add/<b>/s3cr3t-s3cr3t-s3cr3t',
  ])('ignores the bad invite link %s', (link) => {
    expect(parseInviteLink(link)).toBeNull();
    const events = new RecordingEvents();
    const router = new DeepLinkRouter({ events, window: new RecordingWindow(), logger: silentLogger });
    expect(router.open(link)).toBe(false);
    expect(events.sent).toEqual([]);
  });
});
