/**
 * The yardstick: a bare socket.io relay, as the classic WebRTC tutorials write it.
 * It checks nothing, keeps no presence and no calls: a `signal` is forwarded to
 * the socket id in its `to` field, stamped with the sender's socket id, and acked.
 *
 * Two uses, one relay:
 * - the signaling benchmark compares Parley's server with it under the same load,
 *   so its transport settings mirror signaling-server/server.ts exactly;
 * - the call-setup benchmark's naive reference page (reference/index.html) talks
 *   through it, so it can also serve that page and socket.io's own client script.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { LIMITS } from '../../signaling-server/protocol';

export interface BareRelay {
  url: string;
  close(): Promise<void>;
}

export interface BareRelayOptions {
  /**
   * HTML pages to serve, by URL path ("/" → reference/index.html); with any,
   * socket.io's own client is served too, at /socket.io/socket.io.js.
   */
  pages?: Record<string, string>;
  /** Address to listen on (default 127.0.0.1; the WAN bench listens on its lab address). */
  host?: string;
  /** Port (default 0: any free one). */
  port?: number;
}

/** The transport settings of createSignalingServer (signaling-server/server.ts), copied so both servers match. */
export const PARLEY_TRANSPORT = {
  transports: ['websocket'] as ['websocket'],
  maxHttpBufferSize: LIMITS.maxPacketBytes,
  pingInterval: 5_000,
  pingTimeout: 8_000,
  connectTimeout: 10_000,
};

export async function startBareRelay(options: BareRelayOptions = {}): Promise<BareRelay> {
  const pages = new Map(Object.entries(options.pages ?? {}).map(([path, file]) => [path, readFileSync(file)]));
  const http = createServer((req, res) => {
    const page = pages.get(new URL(req.url ?? '/', 'http://relay').pathname);
    if (page === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page);
  });
  const io = new Server(http, { ...PARLEY_TRANSPORT, serveClient: pages.size > 0 });
  io.on('connection', (socket) => {
    socket.on('signal', (payload: unknown, ack: unknown) => {
      if (typeof payload === 'object' && payload !== null && 'to' in payload && typeof payload.to === 'string') {
        socket.to(payload.to).emit('signal', { ...payload, from: socket.id });
      }
      if (typeof ack === 'function') ack({ ok: true });
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: async () => {
      io.disconnectSockets(true);
      await io.close();
    },
  };
}
