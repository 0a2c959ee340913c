/**
 * Serves the built renderer at app://parley/ (Electron security checklist §18: a
 * custom privileged scheme instead of file://). Only regular files inside
 * dist/renderer are served; anything that could step outside it — `..` in any
 * spelling, backslashes, drive letters, null bytes, dot-files, symlinks pointing
 * out — is a 404. Every response carries the CSP and the other security headers.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';
import type { Logger } from 'pino';
import { isAppUrl, tryParseUrl } from '../appUrl';
import { SECURITY_HEADERS } from '../security/contentSecurityPolicy';
import { mimeTypeFor } from './mimeTypes';

const MAX_PATH_LENGTH = 1024;
const INDEX = 'index.html';

function hasControlCharacter(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export type AppPathResolution = { ok: true; segments: string[] } | { ok: false; reason: string };

/**
 * The path segments under the renderer root that `rawUrl` names, or why it names
 * none. Pure: it never touches the disk.
 *
 * The URL parser already removes literal and %2e-spelled dot segments; what is
 * left is decoded exactly once and then checked segment by segment, so an encoded
 * slash (`..%2f`) or backslash cannot smuggle a `..` past the parser.
 */
export function resolveAppPath(rawUrl: string): AppPathResolution {
  if (!isAppUrl(rawUrl)) return { ok: false, reason: 'not an app://parley URL' };
  const url = tryParseUrl(rawUrl);
  if (url === null) return { ok: false, reason: 'unparsable URL' };
  const encoded = url.pathname;
  if (encoded.length > MAX_PATH_LENGTH) return { ok: false, reason: 'path too long' };
  if (encoded === '' || encoded === '/') return { ok: true, segments: [INDEX] };

  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    return { ok: false, reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0')) return { ok: false, reason: 'null byte' };
  if (decoded.includes('\\')) return { ok: false, reason: 'backslash' };
  if (!decoded.startsWith('/')) return { ok: false, reason: 'relative path' };

  const segments = decoded.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '') return { ok: false, reason: 'empty segment (absolute path or directory)' };
    // Covers '.', '..', '...', and hidden files such as .env.
    if (segment.startsWith('.')) return { ok: false, reason: 'dot segment' };
    // Drive letters (C:) and NTFS alternate data streams (file::$DATA).
    if (segment.includes(':')) return { ok: false, reason: 'colon in path' };
    // Segments a Windows path parser would trim or misread.
    if (/[<>|?*"]/.test(segment) || hasControlCharacter(segment) || segment.endsWith(' ')) {
      return { ok: false, reason: 'character not allowed in a file name' };
    }
  }
  return { ok: true, segments };
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..');
}

export interface AppRequest {
  url: string;
  method: string;
}

export interface AppProtocolOptions {
  /** dist/renderer, absolute. */
  rootDir: string;
  logger: Logger;
}

function notFound(status = 404, text = 'Not found'): Response {
  return new Response(text, {
    status,
    headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' },
  });
}

/** The function given to protocol.handle('app', …). */
export function createAppProtocolHandler(options: AppProtocolOptions): (request: AppRequest) => Promise<Response> {
  const { rootDir, logger } = options;
  let realRoot: Promise<string> | null = null;

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return notFound(405, 'Method not allowed');
    const resolution = resolveAppPath(request.url);
    if (!resolution.ok) {
      logger.warn({ url: request.url, reason: resolution.reason }, 'app:// request refused');
      return notFound();
    }
    const candidate = join(rootDir, ...resolution.segments);
    if (!isInside(rootDir, candidate)) return notFound();
    try {
      realRoot ??= realpath(rootDir);
      const [root, real] = await Promise.all([realRoot, realpath(candidate)]);
      // A symlink inside dist/renderer must not lead outside it.
      if (!isInside(root, real)) {
        logger.warn({ url: request.url }, 'app:// request refused: resolves outside the renderer folder');
        return notFound();
      }
      const info = await stat(real);
      if (!info.isFile()) return notFound();
      const body = request.method === 'HEAD' ? null : await readFile(real);
      return new Response(body, {
        status: 200,
        headers: {
          ...SECURITY_HEADERS,
          'content-type': mimeTypeFor(real),
          'content-length': String(info.size),
        },
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        logger.error({ url: request.url, err: error }, 'app:// request failed');
      }
      return notFound();
    }
  };
}
