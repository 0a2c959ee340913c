/**
 * Which web permissions the renderer gets: camera and microphone, notifications,
 * and screen capture as the entry to our own picker — only for the app's main frame
 * at app://parley. Everything else is denied (Electron security checklist §5).
 *
 * Pure functions over the details Electron passes to the session's permission
 * request and check handlers; security/hardenSession.ts wires them.
 */
import { isAppOrigin, isAppUrl } from '../appUrl';

export interface PermissionRequestInfo {
  permission: string;
  /** details.isMainFrame */
  isMainFrame: boolean;
  /** details.requestingUrl: the last URL the requesting frame loaded. */
  requestingUrl: string;
  /** details.securityOrigin (media requests). */
  securityOrigin?: string;
  /** details.mediaTypes (media requests). */
  mediaTypes?: readonly string[];
  /** The Electron major version: the meaning of an empty mediaTypes changed in 45. */
  electronMajor: number;
}

/**
 * Electron < 45 reports getDisplayMedia (and legacy chromeMediaSource getUserMedia)
 * as `media` with an empty mediaTypes; from 45 on it is `display-capture`
 * (electron/electron#52824). Either way the request only reaches the session's
 * display-media handler (capture/displayMediaHandler.ts), which demands a user
 * gesture and the person's pick; this permission is merely the door to it.
 */
const DISPLAY_CAPTURE_AS_EMPTY_MEDIA_BEFORE = 45;

export type PermissionVerdict = { allow: true } | { allow: false; reason: string };

const deny = (reason: string): PermissionVerdict => ({ allow: false, reason });
const ALLOW: PermissionVerdict = { allow: true };

export function decidePermissionRequest(info: PermissionRequestInfo): PermissionVerdict {
  if (!info.isMainFrame) return deny('not the main frame');
  if (!isAppUrl(info.requestingUrl)) return deny(`requesting URL is not ${'app://parley'}`);
  if (info.securityOrigin !== undefined && info.securityOrigin !== '' && !isAppOrigin(info.securityOrigin)) {
    return deny('security origin is not app://parley');
  }
  switch (info.permission) {
    case 'notifications':
      return ALLOW;
    case 'media': {
      const types = info.mediaTypes ?? [];
      if (types.length === 0) {
        return info.electronMajor < DISPLAY_CAPTURE_AS_EMPTY_MEDIA_BEFORE
          ? ALLOW // screen capture on Electron < 45; the display-media handler decides
          : deny('media request without audio or video');
      }
      return types.every((t) => t === 'audio' || t === 'video') ? ALLOW : deny(`media types ${types.join(',')}`);
    }
    case 'display-capture':
      return ALLOW; // the display-media handler decides what, if anything, is shared
    default:
      return deny(`permission ${info.permission} is never granted`);
  }
}

export interface PermissionCheckInfo {
  permission: string;
  /** The origin passed to the check handler. */
  requestingOrigin: string;
  isMainFrame: boolean;
  /** details.securityOrigin (media checks). */
  securityOrigin?: string;
  /** details.mediaType (media checks). */
  mediaType?: string;
}

/** Synchronous checks (navigator.permissions.query, enumerateDevices labels, Notification.permission). */
export function decidePermissionCheck(info: PermissionCheckInfo): boolean {
  if (!info.isMainFrame || !isAppOrigin(info.requestingOrigin)) return false;
  if (info.securityOrigin !== undefined && info.securityOrigin !== '' && !isAppOrigin(info.securityOrigin)) {
    return false;
  }
  switch (info.permission) {
    case 'notifications':
      return true;
    case 'media':
      return info.mediaType === 'audio' || info.mediaType === 'video';
    default:
      return false;
  }
}
