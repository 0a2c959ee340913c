/**
 * An incoming call outside the window: a native notification (with Accept and
 * Decline buttons where the OS has them: macOS and Windows), and the window asks
 * for attention (flashFrame: taskbar flash on Windows/Linux, dock bounce on macOS)
 * and comes back from the tray without stealing focus.
 */
import type { NotificationConstructorOptions } from 'electron';
import type { Logger } from 'pino';
import { EVENT_CHANNELS, type CallStateReport, type IncomingCallNotice } from '../../preload/contract';
import type { RendererEvents } from '../window/rendererEvents';
import type { WindowControl } from '../window/windowControl';
import { ENGLISH, type MainText } from '../i18n';

export interface NotificationHandlers {
  onClick(): void;
  /** Index into the `actions` array. */
  onAction(index: number): void;
  onClose(): void;
}

export interface NotificationHandle {
  show(): void;
  close(): void;
}

export interface IncomingCallOptions {
  /** Notification.isSupported() */
  isSupported(): boolean;
  /** new Notification(options) with the handlers attached. */
  createNotification(options: NotificationConstructorOptions, handlers: NotificationHandlers): NotificationHandle;
  window: WindowControl;
  events: RendererEvents;
  platform: NodeJS.Platform;
  iconPath?: string;
  logger: Logger;
  /** Translates in main's language of the moment (MainLocale.text); English if absent. */
  text?: MainText;
}

const ACCEPT = 0;
const DECLINE = 1;

/** libnotify renders a subset of HTML in the body; a caller's name must show as typed. */
function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function incomingCallNotification(
  notice: IncomingCallNotice,
  platform: NodeJS.Platform,
  iconPath?: string,
  t: MainText = ENGLISH,
): NotificationConstructorOptions {
  const name = platform === 'linux' ? escapeMarkup(notice.callerName) : notice.callerName;
  const withButtons = platform === 'darwin' || platform === 'win32';
  return {
    title: t(notice.media === 'video' ? 'notification.incomingVideoCall' : 'notification.incomingCall'),
    body: t('notification.body', { name }),
    silent: false,
    // Ringing must not time out silently on Linux/Windows; it is dismissed when the call stops ringing.
    timeoutType: 'never',
    urgency: 'critical',
    ...(withButtons
      ? {
          actions: [
            { type: 'button', text: t('notification.accept') },
            { type: 'button', text: t('notification.decline') },
          ],
          closeButtonText: t('notification.ignore'),
        }
      : {}),
    ...(iconPath !== undefined ? { icon: iconPath } : {}),
  };
}

export class IncomingCallService {
  private current: { callId: string; handle: NotificationHandle | null } | null = null;

  constructor(private readonly options: IncomingCallOptions) {}

  show(notice: IncomingCallNotice): void {
    const { window, events, logger } = this.options;
    this.dismissCurrent();
    let handle: NotificationHandle | null = null;
    if (this.options.isSupported()) {
      const openCall = (): void => {
        window.show();
        events.send(EVENT_CHANNELS.callAction, { type: 'show-call' });
      };
      try {
        handle = this.options.createNotification(
          incomingCallNotification(notice, this.options.platform, this.options.iconPath, this.options.text ?? ENGLISH),
          {
            onClick: openCall,
            onAction: (index) => {
              if (index === ACCEPT) {
                window.show();
                events.send(EVENT_CHANNELS.callAction, { type: 'accept', video: notice.media === 'video' });
              } else if (index === DECLINE) {
                events.send(EVENT_CHANNELS.callAction, { type: 'decline' });
              }
            },
            onClose: () => {
              if (this.current?.callId === notice.callId) this.current.handle = null;
            },
          },
        );
        handle.show();
      } catch (error) {
        logger.warn({ err: error }, 'could not show the incoming-call notification');
        handle = null;
      }
    }
    this.current = { callId: notice.callId, handle };
    window.attention(true);
  }

  dismiss(callId: string): void {
    if (this.current?.callId !== callId) return;
    this.dismissCurrent();
  }

  /** A call that stops ringing (answered elsewhere, cancelled) takes its notification with it. */
  followReport(report: CallStateReport): void {
    if (report.phase !== 'ringing') this.dismissCurrent();
  }

  private dismissCurrent(): void {
    const current = this.current;
    if (current === null) return;
    this.current = null;
    try {
      current.handle?.close();
    } catch (error) {
      this.options.logger.debug({ err: error }, 'notification already gone');
    }
    this.options.window.attention(false);
  }
}
