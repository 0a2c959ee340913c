/**
 * The Host allowlist (options.allowedHosts), against DNS rebinding: a page on
 * evil.example whose name is made to resolve to 127.0.0.1 can reach a server on
 * the user's own computer, but its browser still sends `Host: evil.example`.
 * Every HTTP request (/healthz and the client included) and every WebSocket
 * upgrade is checked before anything else sees it; a refusal says which host was
 * refused and what to do.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** `Parley.Example:443` → `parley.example:443`; a trailing dot is the same name. */
function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.(?=(:\d+)?$)/, '');
}

/** Host header without a port, for entries that name only the host. */
function withoutPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * Is `host` (the Host header) allowed? An entry with a port must match exactly;
 * an entry without one matches that host on any port. undefined = any host.
 */
export function hostAllowed(host: string | undefined, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined) return true;
  if (host === undefined || host === '') return false;
  const given = normalizeHost(host);
  const bare = withoutPort(given);
  return allowed.some((entry) => {
    const wanted = normalizeHost(entry);
    return wanted === given || wanted === bare;
  });
}

export function hostRefusal(host: string | undefined, allowed: readonly string[]): string {
  const shown = host === undefined || host === '' ? 'no Host header' : `the host name "${host.slice(0, 200)}"`;
  return (
    `This Parley server does not answer requests for ${shown}; it answers only for ${allowed.join(', ')}. ` +
    'Open it by one of those names, or ask its operator to add this one with --allowed-host.\n'
  );
}

/**
 * Puts the Host check in front of every 'request' and 'upgrade' listener already
 * on `httpServer` (socket.io's and ours): call it after socket.io attached.
 * Refused requests get 421 Misdirected Request (RFC 9110 §15.5.20: this server
 * is not the one for that name); refused upgrades the same, then the socket ends.
 */
export function guardHosts(httpServer: HttpServer, allowed: readonly string[] | undefined, onRefused: (host: string | undefined) => void): void {
  if (allowed === undefined) return;
  const requestListeners = httpServer.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  httpServer.removeAllListeners('request');
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req.headers.host, allowed)) {
      onRefused(req.headers.host);
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' });
      res.end(hostRefusal(req.headers.host, allowed));
      return;
    }
    for (const listener of requestListeners) listener.call(httpServer, req, res);
  });
  refuseUpgradesWhen(httpServer, (req) => {
    if (hostAllowed(req.headers.host, allowed)) return null;
    onRefused(req.headers.host);
    return { status: '421 Misdirected Request', text: hostRefusal(req.headers.host, allowed) };
  });
}

/**
 * Puts `check` in front of every 'upgrade' listener already on `httpServer`: an
 * upgrade it refuses gets a short plain-text HTTP answer and the socket ends,
 * before engine.io (or anything else) does any work for it.
 */
export function refuseUpgradesWhen(httpServer: HttpServer, check: (req: IncomingMessage) => { status: string; text: string } | null): void {
  const upgradeListeners = httpServer.listeners('upgrade') as ((req: IncomingMessage, socket: Duplex, head: Buffer) => void)[];
  httpServer.removeAllListeners('upgrade');
  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = check(req);
    if (refusal === null) {
      for (const listener of upgradeListeners) listener.call(httpServer, req, socket, head);
      return;
    }
    socket.on('error', () => undefined); // the peer may be gone already; nothing to tell anyone
    socket.end(
      `HTTP/1.1 ${refusal.status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(refusal.text)}\r\n\r\n${refusal.text}`,
    );
  });
}
