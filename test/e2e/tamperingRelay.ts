/**
 * A relay in front of the signaling server that plays a server sitting in the
 * middle of every call: pages are served through it (so they dial it), HTTP is
 * passed through untouched, and each socket.io WebSocket is terminated here and
 * opened again to the real server, frame by frame. With `tamper` on it rewrites
 * every `a=fingerprint:` value in the text frames it relays, both ways — what a
 * signaling server that wants to sit in the middle of the DTLS handshake would do.
 *
 * The Host header is passed on as the page sent it, so the server sees the host
 * the page dialled and proved (identity.ts authProofMessage): the relay is
 * invisible to the handshake, as a real interceptor would want to be.
 */
import { createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

export interface TamperingRelay {
  /** Open the app here (http://127.0.0.1:<port>). */
  readonly url: string;
  /** Rewrite fingerprints from now on (true) or relay faithfully (false). */
  tamper: boolean;
  /** `a=fingerprint:` values seen in relayed frames, and how many of them were rewritten. */
  readonly counts: { seen: number; rewritten: number };
  close(): Promise<void>;
}

/** An SDP fingerprint inside a JSON string: the hex ends where the escaped line break (`\r\n`) starts. */
const FINGERPRINT = /a=fingerprint:(\S+?) ([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+)/g;

/**
 * The same length and form, other bytes: every hex digit moved on by one (0→1 … F→0).
 * Not its own inverse, so a fingerprint rewritten on its way to the server and again
 * on its way back is still not the original.
 */
function otherFingerprint(hex: string): string {
  return hex.replace(/[0-9A-Fa-f]/g, (digit) => ((parseInt(digit, 16) + 1) % 16).toString(16).toUpperCase());
}

/** Headers of the page's request worth passing on to the server (not hop-by-hop ones, not the WebSocket handshake's own). */
function passOn(request: IncomingMessage, drop: readonly string[]): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !drop.includes(name.toLowerCase())) headers[name] = value;
  }
  return headers;
}

const WEBSOCKET_HANDSHAKE = ['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol'];

export async function startTamperingRelay(serverUrl: string, options: { tamper: boolean }): Promise<TamperingRelay> {
  const target = new URL(serverUrl);
  const counts = { seen: 0, rewritten: 0 };
  const relay = { tamper: options.tamper };
  const sockets = new Set<WebSocket>();

  const rewrite = (frame: string): string =>
    frame.replace(FINGERPRINT, (line, hash: string, hex: string) => {
      counts.seen += 1;
      if (!relay.tamper) return line;
      counts.rewritten += 1;
      return `a=fingerprint:${hash} ${otherFingerprint(hex)}`;
    });

  const http = createServer((request, response) => {
    const upstream = httpRequest(
      // A fresh connection per request (no keep-alive agent): no race with the server closing an idle one.
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: passOn(request, []), agent: false },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`relay: the server did not answer: ${error.message}`);
    });
    request.pipe(upstream);
  });

  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    wss.handleUpgrade(request, socket, head, (page) => {
      const server = new WebSocket(`ws://${target.host}${request.url ?? '/'}`, { headers: passOn(request, WEBSOCKET_HANDSHAKE) });
      sockets.add(page);
      sockets.add(server);
      // What the page says before the server's socket is open waits, in order.
      const early: { data: RawData; isBinary: boolean }[] = [];
      const forward = (to: WebSocket, data: RawData, isBinary: boolean): void => {
        if (to.readyState !== WebSocket.OPEN) return;
        if (isBinary) to.send(data, { binary: true });
        else to.send(rewrite(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8')));
      };
      page.on('message', (data, isBinary) => {
        if (server.readyState === WebSocket.CONNECTING) early.push({ data, isBinary });
        else forward(server, data, isBinary);
      });
      server.on('open', () => {
        for (const { data, isBinary } of early.splice(0)) forward(server, data, isBinary);
      });
      server.on('message', (data, isBinary) => forward(page, data, isBinary));
      const closeBoth = (): void => {
        for (const ws of [page, server]) {
          sockets.delete(ws);
          if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
        }
      };
      page.on('close', closeBoth);
      server.on('close', closeBoth);
      // A socket error closes the pair; the page's client reconnects as it would after any drop.
      page.on('error', closeBoth);
      server.on('error', closeBoth);
    });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get tamper() {
      return relay.tamper;
    },
    set tamper(on: boolean) {
      relay.tamper = on;
    },
    counts,
    async close() {
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
