/**
 * Who may talk to the embedded signaling server, worked out from the settings and
 * this machine's addresses. Pure: the addresses are passed in, so tests need no
 * network.
 *
 * - Origin allowlist: a page in the user's own browser (any site) can open a
 *   WebSocket to ws://127.0.0.1:7300 — browsers do not apply CORS to WebSockets —
 *   so only the app's own origin (app://parley) and the pages this server serves
 *   itself (http://<its address>:<port>/, the browser build) are accepted. Clients
 *   that send no Origin (not browsers) are still allowed; the password guards those.
 * - Host allowlist, against DNS rebinding: a page on evil.example whose name is
 *   re-pointed at 127.0.0.1 is same-origin with evil.example, but its requests still
 *   carry `Host: evil.example:7300`.
 * - LAN mode always has a password: one is generated the first time LAN is used
 *   (and whenever it is cleared while LAN is on), kept in settings and shown once.
 */
import { randomBytes } from 'node:crypto';
import type { NetworkInterfaceInfo } from 'node:os';
import type { ServerChoice, Settings, SettingsPatch } from '../../preload/contract';
import { APP_ORIGIN } from '../appUrl';
import { ENGLISH, type MainText } from '../i18n';

export interface AccessPolicy {
  allowedOrigins: string[];
  allowedHosts: string[];
}

export interface AccessInput {
  port: number;
  lan: boolean;
  /** The server speaks https (LAN mode): the pages it serves have https:// origins. */
  tls?: boolean;
  /** This machine's non-internal addresses (used in LAN mode only). */
  lanAddresses: readonly string[];
  /** os.hostname(), for browsers that reach the server by name (LAN mode only). */
  hostname: string;
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** An address as it appears in a URL's host: IPv6 in brackets, without a zone id. */
export function urlHost(address: string): string {
  if (!address.includes(':')) return address.toLowerCase();
  const withoutZone = address.split('%')[0] ?? address;
  return `[${withoutZone.toLowerCase()}]`;
}

/** The Origin and Host values the embedded server accepts for `input`. */
export function accessPolicy(input: AccessInput): AccessPolicy {
  const hosts = new Set(LOOPBACK_HOSTS);
  if (input.lan) {
    for (const address of input.lanAddresses) hosts.add(urlHost(address));
    const name = input.hostname.trim().toLowerCase();
    if (/^[a-z0-9][a-z0-9.-]{0,252}$/.test(name)) {
      hosts.add(name);
      if (!name.endsWith('.local')) hosts.add(`${name}.local`);
    }
  }
  return {
    allowedOrigins: [APP_ORIGIN, ...[...hosts].map((host) => `${input.tls === true ? 'https' : 'http'}://${host}:${input.port}`)],
    // Host names without the port match on any port: what stops rebinding is the
    // name (an attacker's page still sends its own), and the port may be picked late.
    allowedHosts: [...hosts],
  };
}

/** The addresses others on the network may use for this machine, from os.networkInterfaces(). */
export function lanAddressesFrom(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string[] {
  const out: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) if (!info.internal) out.push(info.address);
  }
  return out;
}

/** 24 characters of base64url from 18 random bytes (144 bits): not guessable at any rate a server allows. */
export function generateServerPassword(): string {
  return randomBytes(18).toString('base64url');
}

function needsPassword(choice: ServerChoice): boolean {
  return choice.mode === 'lan' && choice.host.password.trim() === '';
}

/**
 * The patch to store instead of `patch`: when it would leave the embedded server
 * open to the LAN without a password, a generated one is filled in. `generated`
 * is that password (to show the person), or null when nothing was added.
 */
export function withLanPassword(
  patch: SettingsPatch,
  current: Settings,
  generate: () => string = generateServerPassword,
): { patch: SettingsPatch; generated: string | null } {
  const server = patch.server ?? current.server;
  if (!needsPassword(server)) return { patch, generated: null };
  const password = generate();
  return { patch: { ...patch, server: { ...server, host: { ...server.host, password } } }, generated: password };
}

/** What the person is told once a password was made for them. */
export function lanPasswordNotice(password: string, port: number, text: MainText = ENGLISH): string {
  return text('mainNotices.lanPassword', { port, password });
}
