/**
 * session.setDisplayMediaRequestHandler: getDisplayMedia() in the renderer → our
 * own picker with thumbnails → exactly the chosen source, or nothing.
 *
 * Flow: the request is checked (sourceChoice.screenRequestVerdict); sources are
 * listed with desktopCapturer; the renderer gets `screenSourcesRequested`
 * {requestId, sources}; its answer `chooseScreenSource` {requestId, sourceId} is
 * matched by requestId; no answer within the timeout counts as a cancel. The
 * callback is called exactly once per request, with `{}` (→ NotAllowedError in the
 * page) whenever anything is off.
 *
 * Under Wayland (captureRoute.ts: route 'portal') the system's portal shows its own
 * picker for the one desktopCapturer request, and its result is the person's choice:
 * it is granted as it comes, with no Parley picker (an empty result is a cancel).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { EVENT_CHANNELS, type ScreenSource, type ScreenSourceChoice } from '../../preload/contract';
import type { Notify, RendererEvents } from '../window/rendererEvents';
import type { CaptureRoute } from './captureRoute';
import { ENGLISH, type MainText } from '../i18n';
import {
  grantFor,
  offeredSources,
  screenRequestVerdict,
  type CapturerSourceLike,
  type ScreenGrant,
  type ScreenRequestLike,
} from './sourceChoice';

export interface SourcesRequest {
  types: Array<'screen' | 'window'>;
  thumbnailSize: { width: number; height: number };
  fetchWindowIcons: boolean;
}

export interface DisplayMediaOptions<F> {
  /** desktopCapturer.getSources */
  getSources(options: SourcesRequest): Promise<CapturerSourceLike[]>;
  /** frame === mainWindow.webContents.mainFrame, showing app://parley. */
  isAppMainFrame(frame: F): boolean;
  events: RendererEvents;
  notify: Notify;
  logger: Logger;
  platform: NodeJS.Platform;
  /** 'portal': the system picks (Wayland); default 'picker': Parley's own picker. */
  route?: CaptureRoute;
  timeoutMs?: number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  newRequestId?: () => string;
  /** Words the notices in the UI's language of the moment (MainLocale.text); English when absent. */
  text?: MainText;
}

interface Pending {
  requestId: string;
  offered: ScreenSource[];
  timer: unknown;
  answer(grant: ScreenGrant): void;
}

export const THUMBNAIL_SIZE = { width: 320, height: 180 };

export class DisplayMediaService<F> {
  private pending: Pending | null = null;
  private lastChosenId: string | null = null;
  private readonly timeoutMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  private readonly text: MainText;

  constructor(private readonly options: DisplayMediaOptions<F>) {
    this.text = (key, vars) => (options.text ?? ENGLISH)(key, vars);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.setTimer = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimeout ?? ((handle) => clearTimeout(handle as NodeJS.Timeout));
  }

  /** The handler for session.setDisplayMediaRequestHandler. */
  readonly handleRequest = (request: ScreenRequestLike<F>, callback: (grant: ScreenGrant) => void): void => {
    let answered = false;
    const answer = (grant: ScreenGrant): void => {
      if (answered) return;
      answered = true;
      callback(grant);
    };
    const verdict = screenRequestVerdict(request, this.options.isAppMainFrame);
    if (!verdict.ok) {
      this.options.logger.warn({ reason: verdict.reason }, 'screen capture request refused');
      answer({});
      return;
    }
    if (this.options.route === 'portal') void this.throughPortal(answer);
    else void this.offer(answer);
  };

  /** The renderer's answer (already schema-checked by the IPC registry). */
  choose(choice: ScreenSourceChoice): void {
    const pending = this.pending;
    if (pending === null || pending.requestId !== choice.requestId) {
      this.options.logger.warn({ requestId: choice.requestId }, 'screen source choice for no open request');
      return;
    }
    this.settle(pending, choice.sourceId);
  }

  /** Quit or window closed: every open request gets nothing. */
  dispose(): void {
    if (this.pending !== null) this.settle(this.pending, null);
  }

  /** One request; the portal's picker is the only one the person sees. */
  private async throughPortal(answer: (grant: ScreenGrant) => void): Promise<void> {
    const { logger, notify } = this.options;
    let sources: CapturerSourceLike[];
    try {
      sources = await this.options.getSources({
        types: ['screen', 'window'],
        // Nothing of ours shows the sources: no thumbnails or icons to make.
        thumbnailSize: { width: 0, height: 0 },
        fetchWindowIcons: false,
      });
    } catch (error) {
      logger.error({ err: error }, 'desktopCapturer.getSources through the portal failed');
      notify('error', this.text('mainNotices.captureAskFailed', { detail: String(error) }));
      answer({});
      return;
    }
    const chosen = sources.find((s) => s.id.startsWith('screen:') || s.id.startsWith('window:'));
    if (chosen === undefined) {
      logger.info({ count: sources.length }, 'the portal picker returned no source: cancelled');
      answer({});
      return;
    }
    if (sources.length > 1) logger.warn({ count: sources.length }, 'the portal returned several sources; the first is shared');
    answer({ video: { id: chosen.id.slice(0, 256), name: chosen.name.slice(0, 512) } });
  }

  private async offer(answer: (grant: ScreenGrant) => void): Promise<void> {
    const { logger, notify } = this.options;
    // A newer request replaces an unanswered one: only one picker at a time.
    if (this.pending !== null) this.settle(this.pending, null);

    let sources: CapturerSourceLike[];
    try {
      sources = await this.options.getSources({
        types: ['screen', 'window'],
        thumbnailSize: THUMBNAIL_SIZE,
        fetchWindowIcons: true,
      });
    } catch (error) {
      logger.error({ err: error }, 'desktopCapturer.getSources failed');
      notify('error', this.text('mainNotices.captureListFailed', { detail: String(error) }));
      answer({});
      return;
    }
    const offered = offeredSources(sources, this.lastChosenId);
    if (offered.length === 0) {
      notify(
        'warning',
        this.text(this.options.platform === 'darwin' ? 'mainNotices.captureNothingMac' : 'mainNotices.captureNothing'),
      );
      answer({});
      return;
    }

    const requestId = (this.options.newRequestId ?? randomUUID)();
    const pending: Pending = {
      requestId,
      offered,
      answer,
      timer: this.setTimer(() => {
        logger.info({ requestId }, 'screen source picker timed out');
        this.settle(pending, null);
      }, this.timeoutMs),
    };
    this.pending = pending;
    this.options.events.send(EVENT_CHANNELS.screenSourcesRequested, { requestId, sources: offered });
  }

  private settle(pending: Pending, sourceId: string | null): void {
    this.clearTimer(pending.timer);
    if (this.pending === pending) this.pending = null;
    const grant = grantFor(sourceId, pending.offered);
    if ('video' in grant) this.lastChosenId = grant.video.id;
    pending.answer(grant);
  }
}
