import { describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, screenSourceRequestSchema } from '../../preload/contract';
import { DisplayMediaService, THUMBNAIL_SIZE, type SourcesRequest } from '../../main/capture/displayMediaHandler';
import { offeredSources, type CapturerSourceLike, type ImageLike, type ScreenGrant } from '../../main/capture/sourceChoice';
import { ManualClock, RecordingEvents, eventually, silentLogger } from './fakes';

const image = (width: number, height: number, tag = 'x'): ImageLike => ({
  isEmpty: () => width === 0 || height === 0,
  getSize: () => ({ width, height }),
  toDataURL: () => (width === 0 ? 'data:image/png;base64,' : `data:image/png;base64,${tag}`),
});

const source = (id: string, name: string, thumb = image(320, 180, id)): CapturerSourceLike => ({
  id,
  name,
  thumbnail: thumb,
  appIcon: id.startsWith('window:') ? image(16, 16, `icon-${id}`) : null,
});

const SOURCES: CapturerSourceLike[] = [
  source('screen:0:0', 'Entire screen'),
  source('window:11:0', 'Editor'),
  source('window:12:0', 'Minimised app', image(0, 0)),
  source('window:13:0', 'Browser'),
];

interface Frame {
  name: string;
}
const MAIN_FRAME: Frame = { name: 'main' };
const SUBFRAME: Frame = { name: 'iframe' };

function setup(getSources: (o: SourcesRequest) => Promise<CapturerSourceLike[]> = async () => SOURCES) {
  const clock = new ManualClock();
  const events = new RecordingEvents();
  const notices: string[] = [];
  const asked: SourcesRequest[] = [];
  let ids = 0;
  const service = new DisplayMediaService<Frame>({
    getSources: (options) => {
      asked.push(options);
      return getSources(options);
    },
    isAppMainFrame: (frame) => frame === MAIN_FRAME,
    events,
    notify: (_level, message) => notices.push(message),
    logger: silentLogger,
    platform: 'linux',
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    newRequestId: () => `req-${++ids}`,
  });
  const grants: ScreenGrant[] = [];
  const request = (overrides: Partial<{ frame: Frame | null; securityOrigin: string; userGesture: boolean }> = {}) =>
    service.handleRequest(
      {
        frame: MAIN_FRAME,
        securityOrigin: 'app://parley',
        userGesture: true,
        videoRequested: true,
        ...overrides,
      },
      (grant) => grants.push(grant),
    );
  return { clock, events, notices, asked, service, grants, request };
}

describe('screen-share picker', () => {
  it('asks desktopCapturer for screens and windows with thumbnails and icons, and offers them to the renderer', async () => {
    const { events, asked, request } = setup();
    request();
    await eventually(() => expect(events.sent).toHaveLength(1));
    expect(asked).toEqual([{ types: ['screen', 'window'], thumbnailSize: THUMBNAIL_SIZE, fetchWindowIcons: true }]);
    const sent = events.sent[0];
    expect(sent?.channel).toBe(EVENT_CHANNELS.screenSourcesRequested);
    const payload = screenSourceRequestSchema.parse(sent?.payload);
    expect(payload.requestId).toBe('req-1');
    expect(payload.sources.map((s) => [s.id, s.kind])).toEqual([
      ['screen:0:0', 'screen'],
      ['window:11:0', 'window'],
      ['window:13:0', 'window'],
    ]);
    expect(payload.sources[1]?.thumbnail).toBe('data:image/png;base64,window:11:0');
    expect(payload.sources[1]?.appIcon).toBe('data:image/png;base64,icon-window:11:0');
  });

  it('grants exactly the chosen source', async () => {
    const { events, service, grants, request } = setup();
    request();
    await eventually(() => expect(events.sent).toHaveLength(1));
    service.choose({ requestId: 'req-1', sourceId: 'window:13:0' });
    expect(grants).toEqual([{ video: { id: 'window:13:0', name: 'Browser' } }]);
  });

  it('cancel grants nothing', async () => {
    const { events, service, grants, request } = setup();
    request();
    await eventually(() => expect(events.sent).toHaveLength(1));
    service.choose({ requestId: 'req-1', sourceId: null });
    expect(grants).toEqual([{}]);
  });

  it('a source that was not offered (a blank window, or made up) grants nothing', async () => {
    const { events, service, grants, request } = setup();
    request();
    await eventually(() => expect(events.sent).toHaveLength(1));
    service.choose({ requestId: 'req-1', sourceId: 'window:12:0' });
    expect(grants).toEqual([{}]);
  });

  it('a choice for another request id is ignored; the open request still gets its answer once', async () => {
    const { events, service, grants, request } = setup();
    request();
    await eventually(() => expect(events.sent).toHaveLength(1));
    service.choose({ requestId: 'req-999', sourceId: 'screen:0:0' });
    expect(grants).toEqual([]);
    service.choose({ requestId: 'req-1', sourceId: 'screen:0:0' });
    service.choose({ requestId: 'req-1', sourceId: 'window:11:0' });
    expect(grants).toEqual([{ video: { id: 'screen:0:0', name: 'Entire screen' } }]);
  });

  it.each([
    ['no user gesture', { userGesture: false }],
    ['a subframe', { frame: SUBFRAME }],
    ['a frame that is gone', { frame: null }],
    ['a foreign origin', { securityOrigin: 'https://evil.example' }],
    ['a look-alike origin', { securityOrigin: 'app://parley.evil' }],
  ])('%s gets nothing, and no picker is shown', async (_name, overrides) => {
    const { events, asked, grants, request } = setup();
    request(overrides);
    expect(grants).toEqual([{}]);
    expect(asked).toEqual([]);
    expect(events.sent).toEqual([]);
  });

  it('the picker times out after 60 s with nothing granted', async () => {
    const { clock, events, service, grants, request } = setup();
    request();
    await eventually(() => expect(events.sent).toHaveLength(1));
    clock.advance(59_999);
    expect(grants).toEqual([]);
    clock.advance(1);
    expect(grants).toEqual([{}]);
    // A late answer changes nothing.
    service.choose({ requestId: 'req-1', sourceId: 'screen:0:0' });
    expect(grants).toEqual([{}]);
  });

  it('puts the last chosen source first next time', async () => {
    const { events, service, request } = setup();
    request();
    await eventually(() => expect(events.sent).toHaveLength(1));
    service.choose({ requestId: 'req-1', sourceId: 'window:13:0' });
    request();
    await eventually(() => expect(events.sent).toHaveLength(2));
    const second = screenSourceRequestSchema.parse(events.sent[1]?.payload);
    expect(second.sources.map((s) => s.id)).toEqual(['window:13:0', 'screen:0:0', 'window:11:0']);
  });

  it('a new request replaces an unanswered one, which gets nothing', async () => {
    const { events, grants, request } = setup();
    request();
    await eventually(() => expect(events.sent).toHaveLength(1));
    request();
    await eventually(() => expect(events.sent).toHaveLength(2));
    expect(grants).toEqual([{}]);
  });

  it('when listing sources fails, the person is told and nothing is granted', async () => {
    const { notices, grants, request } = setup(async () => {
      throw new Error('screen capture is not available');
    });
    request();
    await eventually(() => expect(grants).toEqual([{}]));
    expect(notices[0]).toContain('could not list your screens and windows');
  });

  it('dispose answers an open request with nothing', async () => {
    const { events, service, grants, request } = setup();
    request();
    await eventually(() => expect(events.sent).toHaveLength(1));
    service.dispose();
    expect(grants).toEqual([{}]);
  });
});

describe('offered sources (pure)', () => {
  it('drops windows with empty thumbnails but keeps screens', () => {
    const offered = offeredSources(
      [source('screen:1:0', 'Screen 2', image(0, 0)), source('window:1:0', 'Blank', image(0, 0)), source('window:2:0', 'Ok')],
      null,
    );
    expect(offered.map((s) => s.id)).toEqual(['screen:1:0', 'window:2:0']);
  });

  it('ignores ids that are neither screen: nor window:', () => {
    expect(offeredSources([source('tab:1', 'A tab')], null)).toEqual([]);
  });
});
