/**
 * The HTTP side of the server: GET /healthz, and the built browser client (when
 * one is configured) with strict security headers. socket.io's engine takes its
 * own path (/socket.io/) before this handler sees a request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import sirv from 'sirv';
import { PROTOCOL_VERSION } from './protocol';

export interface HealthStats {
  uptimeSeconds: number;
  usersOnline: number;
  devicesOnline: number;
  activeCalls: number;
  /** Clustered nodes only (a Redis URL): this node's id. */
  nodeId?: string;
  /** Clustered nodes only: whether Redis answers, and whether this node is the coordinator. */
  cluster?: { redis: 'connected' | 'disconnected'; coordinator: boolean };
}

/**
 * The client's policy: only its own scripts and styles, media from getUserMedia
 * and blobs, and connections back to this server (http for /healthz, ws/wss for
 * signaling); no plugins, no <base>, never framed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createRequestHandler(options: {
  clientDir: string | null;
  stats: () => HealthStats;
  version: string;
  /** With TLS: the certificate's SHA-256 fingerprint now (it changes on reload), shown in /healthz so people can compare it. */
  tlsFingerprint?: () => string | null;
  /** Something failed while answering; the request is answered or aborted, never the process. */
  onError: (err: unknown, where: string) => void;
}): RequestHandler {
  // dev: false makes sirv index the folder once, at start: nothing outside it can
  // ever be served, whatever the path says.
  const serve = options.clientDir === null ? null : sirv(options.clientDir, { dev: false, etag: true, dotfiles: false });

  const handle: RequestHandler = (req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const method = req.method ?? 'GET';
    const path = pathOf(req.url);

    if (path === '/healthz') {
      if (method !== 'GET' && method !== 'HEAD') return sendStatus(res, 405, 'GET');
      const body = JSON.stringify({
        status: 'ok',
        ...options.stats(),
        version: options.version,
        protocolVersion: PROTOCOL_VERSION,
        ...(options.tlsFingerprint?.() ? { tlsFingerprint: options.tlsFingerprint() } : {}),
      });
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    if (serve === null) return sendStatus(res, 404);
    if (method !== 'GET' && method !== 'HEAD') return sendStatus(res, 405, 'GET, HEAD');

    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Frame-Options', 'DENY');
    // sirv pipes a file stream into the response without an 'error' listener: a
    // file removed since start (the client rebuilt under a running server) would
    // throw an unhandled 'error' and end the process. Catch it on the way in.
    res.on('pipe', (source: Readable) => {
      source.on('error', (err) => {
        options.onError(err, 'static file');
        res.destroy();
      });
    });
    serve(req, res, () => {
      // SPA fallback: a client-side route (no extension) gets index.html; a missing
      // asset (with an extension) is a real 404, not HTML with status 200.
      if (method !== 'GET' || /\.[^/]*$/.test(path)) return sendStatus(res, 404);
      req.url = '/index.html';
      serve(req, res, () => sendStatus(res, 404));
    });
  };

  return (req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      options.onError(err, `${req.method ?? '?'} ${req.url ?? '?'}`);
      if (!res.headersSent) sendStatus(res, 500);
      else res.destroy();
    }
  };
}

/**
 * The plain-http listener beside an https server (--http-redirect): every request
 * is sent to the same host and path over https on `httpsPort` (308 keeps the
 * method). The host comes from the Host header when it is a plain name or
 * address, else the server's own `fallbackHost`.
 */
export function createRedirectHandler(httpsPort: number, fallbackHost: string): RequestHandler {
  return (req, res) => {
    const given = req.headers.host ?? '';
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/.exec(given);
    const fallback = fallbackHost.includes(':') ? `[${fallbackHost}]` : fallbackHost;
    const host = match?.[1] ?? fallback;
    const path = (req.url ?? '/').startsWith('/') ? (req.url ?? '/') : '/';
    const location = `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}${path}`;
    res.writeHead(308, { Location: location, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' });
    res.end(`This Parley server speaks https: ${location}\n`);
  };
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

function sendStatus(res: ServerResponse, status: 404 | 405 | 500, allow?: string): void {
  const text = { 404: 'Not found', 405: 'Method not allowed', 500: 'Internal error' }[status];
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' };
  if (allow) headers.Allow = allow;
  res.writeHead(status, headers);
  res.end(text);
}
