/**
 * Pure decisions of the screen-share picker: who may ask, which sources are
 * offered and in what order, and what exactly is granted for a choice.
 */
import type { ScreenSource } from '../../preload/contract';
import { isAppOrigin } from '../appUrl';

export interface ImageLike {
  isEmpty(): boolean;
  getSize(): { width: number; height: number };
  toDataURL(): string;
}

/** The part of Electron's DesktopCapturerSource this uses. */
export interface CapturerSourceLike {
  id: string;
  name: string;
  thumbnail: ImageLike;
  appIcon: ImageLike | null;
}

/** The part of the display-media request this uses. */
export interface ScreenRequestLike<F> {
  frame: F | null;
  securityOrigin: string;
  userGesture: boolean;
  videoRequested: boolean;
}

export type RequestVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Only the app's own page, in its main frame, right after the person clicked
 * something, may open the picker. The gesture rule stops a compromised or buggy
 * page from popping the picker (or, with a remembered choice, capturing) on its own.
 */
export function screenRequestVerdict<F>(
  request: ScreenRequestLike<F>,
  isAppMainFrame: (frame: F) => boolean,
): RequestVerdict {
  if (request.frame === null) return { ok: false, reason: 'the requesting frame is gone' };
  if (!isAppMainFrame(request.frame)) return { ok: false, reason: 'not the app main frame' };
  if (!isAppOrigin(request.securityOrigin)) return { ok: false, reason: `origin ${request.securityOrigin}` };
  if (!request.userGesture) return { ok: false, reason: 'no user gesture' };
  if (!request.videoRequested) return { ok: false, reason: 'no video requested' };
  return { ok: true };
}

const MAX_THUMBNAIL_CHARS = 2 * 1024 * 1024;
const MAX_ICON_CHARS = 512 * 1024;
const MAX_SOURCES = 200;

function isBlank(image: ImageLike): boolean {
  if (image.isEmpty()) return true;
  const { width, height } = image.getSize();
  return width === 0 || height === 0;
}

/**
 * What the picker shows. Windows with an empty thumbnail are dropped: they are
 * minimised, off-screen or (on macOS without Screen Recording permission) not
 * capturable, and a blank tile helps nobody. The source picked last time comes
 * first, because the person most often shares the same thing again.
 */
export function offeredSources(sources: readonly CapturerSourceLike[], lastChosenId: string | null): ScreenSource[] {
  const offered: ScreenSource[] = [];
  for (const source of sources) {
    const kind = source.id.startsWith('screen:') ? 'screen' : source.id.startsWith('window:') ? 'window' : null;
    if (kind === null) continue;
    if (kind === 'window' && isBlank(source.thumbnail)) continue;
    const thumbnail = source.thumbnail.toDataURL();
    if (thumbnail.length > MAX_THUMBNAIL_CHARS) continue;
    const icon = source.appIcon !== null && !isBlank(source.appIcon) ? source.appIcon.toDataURL() : null;
    offered.push({
      id: source.id.slice(0, 256),
      name: source.name.slice(0, 512),
      kind,
      thumbnail,
      appIcon: icon !== null && icon.length <= MAX_ICON_CHARS ? icon : null,
    });
  }
  const last = lastChosenId === null ? -1 : offered.findIndex((s) => s.id === lastChosenId);
  if (last > 0) offered.unshift(...offered.splice(last, 1));
  return offered.slice(0, MAX_SOURCES);
}

/** Exactly the chosen source, or nothing. Never a source that was not offered. */
export type ScreenGrant = { video: { id: string; name: string } } | Record<string, never>;

export function grantFor(sourceId: string | null, offered: readonly ScreenSource[]): ScreenGrant {
  if (sourceId === null) return {};
  const source = offered.find((s) => s.id === sourceId);
  return source === undefined ? {} : { video: { id: source.id, name: source.name } };
}
