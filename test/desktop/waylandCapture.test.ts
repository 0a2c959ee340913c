/**
 * Issue 16.7: under Wayland the portal's own picker is the only one the person
 * sees — one desktopCapturer request, its result granted as the choice, no
 * Parley picker sent to the renderer.
 */
import { describe, expect, it } from 'vitest';
import { captureRoute, type CaptureEnvironment } from '../../main/capture/captureRoute';
import { DisplayMediaService, type SourcesRequest } from '../../main/capture/displayMediaHandler';
import type { CapturerSourceLike, ImageLike, ScreenGrant } from '../../main/capture/sourceChoice';
import { ManualClock, RecordingEvents, eventually, silentLogger } from './fakes';

const env = (overrides: Partial<CaptureEnvironment> = {}): CaptureEnvironment => ({
  platform: 'linux',
  env: {},
  ozonePlatform: '',
  enableFeatures: '',
  ...overrides,
});

describe('capture route (pure)', () => {
  it('Linux under Wayland goes to the portal, by XDG_SESSION_TYPE or WAYLAND_DISPLAY', () => {
    expect(captureRoute(env({ env: { XDG_SESSION_TYPE: 'wayland' } }))).toBe('portal');
    expect(captureRoute(env({ env: { XDG_SESSION_TYPE: 'Wayland ' } }))).toBe('portal');
    expect(captureRoute(env({ env: { WAYLAND_DISPLAY: 'wayland-0' } }))).toBe('portal');
    expect(captureRoute(env({ ozonePlatform: 'wayland', env: { XDG_SESSION_TYPE: 'wayland' } }))).toBe('portal');
  });

  it('X11 sessions, and Wayland sessions forced onto XWayland, keep Parley’s picker', () => {
    expect(captureRoute(env({ env: { XDG_SESSION_TYPE: 'x11', DISPLAY: ':0' } }))).toBe('picker');
    expect(captureRoute(env({ env: {} }))).toBe('picker');
    expect(captureRoute(env({ env: { WAYLAND_DISPLAY: '' } }))).toBe('picker');
    expect(captureRoute(env({ ozonePlatform: 'x11', env: { XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0' } }))).toBe(
      'picker',
    );
  });

  it('PipeWire capture switched on by hand uses the portal even under X11', () => {
    expect(captureRoute(env({ env: { XDG_SESSION_TYPE: 'x11' }, enableFeatures: 'Foo, WebRTCPipeWireCapturer' }))).toBe('portal');
  });

  it('Windows and macOS never use the portal, whatever the environment says', () => {
    for (const platform of ['win32', 'darwin'] as const) {
      expect(captureRoute(env({ platform, env: { XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0' } }))).toBe('picker');
    }
  });
});

const blank: ImageLike = { isEmpty: () => true, getSize: () => ({ width: 0, height: 0 }), toDataURL: () => 'data:image/png;base64,' };
const source = (id: string, name: string): CapturerSourceLike => ({ id, name, thumbnail: blank, appIcon: null });

function portalSetup(getSources: (o: SourcesRequest) => Promise<CapturerSourceLike[]>) {
  const events = new RecordingEvents();
  const clock = new ManualClock();
  const notices: string[] = [];
  const asked: SourcesRequest[] = [];
  const service = new DisplayMediaService<'main'>({
    getSources: (options) => {
      asked.push(options);
      return getSources(options);
    },
    isAppMainFrame: (frame) => frame === 'main',
    events,
    notify: (_level, message) => notices.push(message),
    logger: silentLogger,
    platform: 'linux',
    route: 'portal',
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
  });
  const grants: ScreenGrant[] = [];
  const request = (userGesture = true) =>
    service.handleRequest({ frame: 'main', securityOrigin: 'app://parley', userGesture, videoRequested: true }, (g) => grants.push(g));
  return { events, notices, asked, grants, request };
}

describe('screen share through the portal', () => {
  it('makes one request and grants what the portal returned, without Parley’s picker', async () => {
    const { events, asked, grants, request } = portalSetup(async () => [source('window:77:0', 'Text editor')]);
    request();
    await eventually(() => expect(grants).toHaveLength(1));
    expect(asked).toHaveLength(1);
    expect(asked[0]?.types).toEqual(['screen', 'window']);
    expect(grants[0]).toEqual({ video: { id: 'window:77:0', name: 'Text editor' } });
    expect(events.sent).toEqual([]); // no screenSourcesRequested: the renderer shows no picker
  });

  it('a portal picker closed without a choice grants nothing and says nothing', async () => {
    const { events, notices, grants, request } = portalSetup(async () => []);
    request();
    await eventually(() => expect(grants).toHaveLength(1));
    expect(grants[0]).toEqual({});
    expect(events.sent).toEqual([]);
    expect(notices).toEqual([]);
  });

  it('a portal failure is told to the person and grants nothing', async () => {
    const { notices, grants, request } = portalSetup(async () => {
      throw new Error('org.freedesktop.portal.ScreenCast not available');
    });
    request();
    await eventually(() => expect(grants).toHaveLength(1));
    expect(grants[0]).toEqual({});
    expect(notices.join(' ')).toContain('ScreenCast not available');
  });

  it('still refuses a request without a user gesture, before the portal is asked', async () => {
    const { asked, grants, request } = portalSetup(async () => [source('screen:1:0', 'Screen')]);
    request(false);
    await eventually(() => expect(grants).toHaveLength(1));
    expect(grants[0]).toEqual({});
    expect(asked).toEqual([]);
  });
});
