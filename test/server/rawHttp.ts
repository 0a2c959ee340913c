/**
 * Plain HTTP requests and WebSocket upgrades to a test server, with any headers:
 * for what socket.io-client cannot show (the status and text of a refused upgrade).
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { SignalingServer } from '../../signaling-server/index';

export interface RawAnswer {
  status: number;
  body: string;
  /** True when the server switched protocols (a WebSocket was opened). */
  upgraded: boolean;
}

export const WS_PATH = '/socket.io/?EIO=4&transport=websocket';

/** One HTTP request, or with `upgrade` a WebSocket upgrade, to `path`. */
export function rawRequest(server: SignalingServer, path: string, headers: Record<string, string>, upgrade = false): Promise<RawAnswer> {
  const all: Record<string, string> = { ...headers };
  if (upgrade) {
    Object.assign(all, {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    });
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: server.address.host, port: server.address.port, path, headers: all });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, upgraded: false }));
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '', upgraded: true });
    });
    req.on('error', reject);
    req.end();
  });
}
