/**
 * Lets go of a socket's HTTP upgrade request once the handshake middleware has
 * admitted it (socketServer.ts reads the Origin header and the auth there, and
 * copies the identity into socket.data; nothing reads them afterwards).
 *
 * Why: engine.io 6 keeps the upgrade request for the connection's whole life (its
 * WebSocketResponse listens for the TCP socket's close, engine.io/lib/server.ts),
 * so `engine.on('connection', s => s.request = null)`, the advice of socket.io's
 * "Memory usage" page, frees nothing; and socket.io copies the headers, the query
 * and the auth into socket.handshake. Emptying them saves ~0.8 KiB of heap per
 * connection with the benchmark's Node clients, more with a browser's headers
 * (user agent, cookies, languages), measured by `npm run bench`.
 */
import type { IncomingMessage } from 'node:http';

export interface ReleasableSocket {
  conn: { request: IncomingMessage | null };
  handshake: { headers: object; query: object; auth: object; url: string; time: string };
}

export function releaseHandshake(socket: ReleasableSocket): void {
  const request = socket.conn.request;
  if (request) {
    request.headers = {};
    request.rawHeaders = [];
    request.trailers = {};
    request.rawTrailers = [];
    // engine.io's parsed query string, kept on the request.
    (request as IncomingMessage & { _query?: unknown })._query = undefined;
  }
  socket.conn.request = null;
  socket.handshake.headers = {};
  socket.handshake.query = {};
  socket.handshake.auth = {};
  socket.handshake.url = '';
  socket.handshake.time = '';
}
