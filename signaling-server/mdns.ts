/**
 * Parley servers on the local network, by mDNS / DNS-SD (bonjour-service):
 * `advertiseServer` announces `_parley._tcp` with a TXT record, and
 * `browseServers` / `findServers` list what the network announces, each record
 * checked before anyone sees it.
 *
 * TXT (every value a string, as DNS-SD has it):
 *   txtvers=1     this layout
 *   name=…        the name people see (1–63 bytes, one line)
 *   proto=4       the signaling protocol version (protocol.ts PROTOCOL_VERSION)
 *   tls=yes|no    https + wss, or plain http + ws
 *   fp=AB:…:EF    with tls=yes: the certificate's SHA-256 fingerprint, to pin
 *   pw=yes|no     whether a password is needed to sign in
 *
 * A fingerprint read from the network is a claim, not a proof: anyone on the LAN
 * can announce anything. The app shows it and lets the person confirm it (or
 * compare it with the one the server's owner gives them) before pinning it.
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { Bonjour, type Service } from 'bonjour-service';
import type { Logger } from 'pino';
import { z } from 'zod';
import { describeError } from './logger';
import { PROTOCOL_VERSION } from './protocol';
import { isFingerprint } from './tls';

export const SERVICE_TYPE = 'parley';
export const TXT_VERSION = '1';
/** Probing takes 3 queries 250 ms apart (RFC 6762 §8.1); announced or not, it is decided well within this. */
const PROBE_GRACE_MS = 5_000;

export interface AdvertiseOptions {
  /** Shown to people; default "Parley on <host name>". */
  name?: string;
  port: number;
  /** The TLS certificate's SHA-256 fingerprint; null for plain http. */
  fingerprint: string | null;
  passwordRequired: boolean;
  /** The IPv4 address of the interface to announce on (default: all). */
  interface?: string;
  log: Logger;
}

export interface Advertisement {
  /** The DNS-SD instance name (unique per host and port). */
  readonly instance: string;
  readonly txt: Readonly<Record<string, string>>;
  /** Says goodbye on the network (records with TTL 0) and closes the socket; idempotent. */
  stop(): Promise<void>;
}

export function defaultServerName(): string {
  return truncateBytes(`Parley on ${hostname().split('.')[0] || 'this computer'}`, 63);
}

export function advertiseServer(options: AdvertiseOptions): Advertisement {
  const name = options.name ?? defaultServerName();
  const txt: Record<string, string> = {
    txtvers: TXT_VERSION,
    name,
    proto: String(PROTOCOL_VERSION),
    tls: options.fingerprint === null ? 'no' : 'yes',
    ...(options.fingerprint === null ? {} : { fp: options.fingerprint }),
    pw: options.passwordRequired ? 'yes' : 'no',
  };
  // Two servers with one name on one network would collide: the instance name
  // carries the host and port, the TXT name is what people read.
  const instance = truncateBytes(`${name} (${hostname().split('.')[0]}:${options.port})`.replace(/\./g, ' '), 63);
  const log = options.log.child({ mdns: instance });
  const bonjour = new Bonjour(socketOptions(options.interface), (err: unknown) =>
    log.warn({ err: describeError(err) }, 'mDNS socket error: the server may not be visible on the network'),
  );
  const service = bonjour.publish({ name: instance, type: SERVICE_TYPE, protocol: 'tcp', port: options.port, txt });
  service.on('up', () => log.info({ txt }, 'announced on the local network by mDNS (_parley._tcp)'));
  service.on('error', (err: unknown) => log.warn({ err: describeError(err) }, 'mDNS announcement failed'));
  // bonjour-service gives up on a name another host answers for with a console line
  // only: say it in the server's log, with what to do.
  const probeTimer = setTimeout(() => {
    if (!service.published) {
      log.warn(
        { instance },
        'not announced by mDNS: the name is already in use on the network (another server with the same name and port?). Choose another name (--mdns-name) or port.',
      );
    }
  }, PROBE_GRACE_MS);
  probeTimer.unref();

  let stopped: Promise<void> | null = null;
  return {
    instance,
    txt,
    stop: () => {
      clearTimeout(probeTimer);
      stopped ??= new Promise<void>((resolve) => {
        // A goodbye that never goes out (no route, socket gone) must not hold up a shutdown.
        const timer = setTimeout(finish, 1_000);
        function finish(): void {
          clearTimeout(timer);
          bonjour.destroy(() => resolve());
        }
        if (service.activated) service.stop(finish);
        else finish();
      });
      return stopped;
    },
  };
}

// ---------------------------------------------------------------- browsing

export interface DiscoveredServer {
  /** The DNS-SD instance name: the key of this server in a list. */
  instance: string;
  name: string;
  protocolVersion: number;
  /** protocolVersion is the one this code speaks. */
  compatible: boolean;
  tls: boolean;
  /** With tls: the fingerprint the record claims (see the note at the top). */
  fingerprint: string | null;
  passwordRequired: boolean;
  port: number;
  /** The addresses the record lists, IPv4 first. */
  addresses: string[];
  /** https://ADDRESS:PORT (or http://), by the address the announcement came from when it is IPv4. */
  url: string;
}

const oneLine = z
  .string()
  .min(1)
  .refine((s) => Buffer.byteLength(s, 'utf8') <= 63, 'longer than 63 bytes')
  .regex(/^\P{Cc}+$/u, 'not one line');

const txtSchema = z
  .object({
    txtvers: z.literal(TXT_VERSION),
    name: oneLine,
    proto: z.string().regex(/^\d{1,4}$/, 'not a protocol version'),
    tls: z.enum(['yes', 'no']),
    fp: z.string().refine(isFingerprint, 'not a SHA-256 fingerprint (32 upper-case hex pairs joined by ":")').optional(),
    pw: z.enum(['yes', 'no']),
  })
  .refine((txt) => (txt.tls === 'yes') === (txt.fp !== undefined), 'fp must be present exactly when tls=yes');

/** A service from the network → a DiscoveredServer, or why it is not one. */
export function parseService(service: Pick<Service, 'name' | 'port' | 'txt' | 'addresses' | 'referer'>): DiscoveredServer | { invalid: string } {
  const instance = typeof service.name === 'string' ? service.name.slice(0, 100) : '?';
  if (!Number.isInteger(service.port) || service.port < 1 || service.port > 65535) return { invalid: `port ${String(service.port)} is not a TCP port` };
  const parsed = txtSchema.safeParse(service.txt ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { invalid: `TXT ${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}` };
  }
  const txt = parsed.data;
  const listed = (Array.isArray(service.addresses) ? service.addresses : []).filter((a): a is string => typeof a === 'string' && isIP(a) !== 0);
  const addresses = [...listed.filter((a) => isIP(a) === 4), ...listed.filter((a) => isIP(a) === 6)];
  const from = service.referer?.address;
  const address = from !== undefined && isIP(from) === 4 ? from : addresses[0];
  if (address === undefined) return { invalid: 'no address' };
  const protocolVersion = Number(txt.proto);
  const tls = txt.tls === 'yes';
  return {
    instance,
    name: txt.name,
    protocolVersion,
    compatible: protocolVersion === PROTOCOL_VERSION,
    tls,
    fingerprint: txt.fp ?? null,
    passwordRequired: txt.pw === 'yes',
    port: service.port,
    addresses,
    url: `${tls ? 'https' : 'http'}://${isIP(address) === 6 ? `[${address}]` : address}:${service.port}`,
  };
}

export interface BrowseOptions {
  onUp?: (server: DiscoveredServer) => void;
  onDown?: (instance: string) => void;
  /** A record that is not a valid Parley announcement (logged too). */
  onInvalid?: (instance: string, reason: string) => void;
  /** The IPv4 address of the interface to listen on (default: all). */
  interface?: string;
  log: Logger;
}

export interface ServerBrowser {
  /** What is on the network now, by instance name. */
  servers(): DiscoveredServer[];
  /** Asks the network again. */
  refresh(): void;
  stop(): Promise<void>;
}

export function browseServers(options: BrowseOptions): ServerBrowser {
  const log = options.log.child({ mdns: 'browse' });
  const found = new Map<string, DiscoveredServer>();
  const bonjour = new Bonjour(socketOptions(options.interface), (err: unknown) =>
    log.warn({ err: describeError(err) }, 'mDNS socket error while looking for servers'),
  );
  const seen = (service: Service): void => {
    const result = parseService(service);
    if ('invalid' in result) {
      log.info({ instance: String(service.name).slice(0, 100), reason: result.invalid }, 'ignored an mDNS record that is not a valid Parley server');
      options.onInvalid?.(String(service.name).slice(0, 100), result.invalid);
      return;
    }
    found.set(result.instance, result);
    options.onUp?.(result);
  };
  const browser = bonjour.find({ type: SERVICE_TYPE, protocol: 'tcp' });
  browser.on('up', seen);
  browser.on('txt-update', seen);
  browser.on('srv-update', seen);
  browser.on('down', (service: Service) => {
    if (found.delete(service.name)) options.onDown?.(service.name);
  });

  let stopped: Promise<void> | null = null;
  return {
    servers: () => [...found.values()],
    refresh: () => browser.update(),
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        browser.stop();
        bonjour.destroy(() => resolve());
      });
      return stopped;
    },
  };
}

/** Looks for `waitMs` (or until `until` is true of a server found) and returns what answered. */
export async function findServers(options: Omit<BrowseOptions, 'onUp'> & { waitMs: number; until?: (server: DiscoveredServer) => boolean }): Promise<DiscoveredServer[]> {
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const browser = browseServers({
    ...options,
    onUp: (server) => {
      if (options.until?.(server)) done();
    },
  });
  // mDNS answers are not guaranteed to arrive: ask again now and then.
  const again = setInterval(() => browser.refresh(), 1_000);
  const timer = setTimeout(done, options.waitMs);
  try {
    await finished;
    return browser.servers();
  } finally {
    clearInterval(again);
    clearTimeout(timer);
    await browser.stop();
  }
}

/** multicast-dns's options, which bonjour-service passes through (its type names only the service's). */
function socketOptions(iface: string | undefined): ConstructorParameters<typeof Bonjour>[0] {
  return (iface === undefined ? {} : { interface: iface }) as ConstructorParameters<typeof Bonjour>[0];
}

function truncateBytes(text: string, max: number): string {
  let out = text;
  while (Buffer.byteLength(out, 'utf8') > max) out = out.slice(0, -1);
  return out;
}
