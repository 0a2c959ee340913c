/**
 * The signaling server's options: the public shape, the defaults, and their
 * validation. A bad option throws an Error that names the option and says what is
 * allowed, so whoever embeds the server (the CLI, Electron main) can show it as is.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { LIMITS } from './protocol';
import { LOG_LEVELS, type LogLevel } from './logger';
import { isLoopbackHost } from './tls';

export const DEFAULT_PORT = 7300;

/**
 * Abuse limits, per socket (see rateLimit.ts):
 * - every incoming event, known or not, costs one token;
 * - a bucket holds `capacity` tokens (120) and refills at `refillPerSecond` (40/s),
 *   so a client may burst 120 events and sustain 40 events per second — far above
 *   what a call needs (an ICE gathering burst is ~10–30 signals);
 * - an event that finds the bucket empty is dropped and acked `rate_limited`;
 * - `maxViolations` (100) dropped events within `windowMs` (10 s) → the socket gets
 *   `session:kicked` {code:'rate_limited'} and is disconnected.
 */
export const DEFAULT_RATE_LIMIT = {
  capacity: 120,
  refillPerSecond: 40,
  maxViolations: 100,
  windowMs: 10_000,
} as const;

export interface RateLimitOptions {
  capacity: number;
  refillPerSecond: number;
  maxViolations: number;
  windowMs: number;
}

/**
 * Per network address limits, checked before any handshake work (addressGuard.ts).
 * Defaults are sized for a team behind one NAT: 100 people can be online from
 * one office address; a single address may open 60 connections a minute (bursts
 * of 30) and fail the handshake (wrong password, bad identity) 10 times a minute.
 */
export const DEFAULT_ADDRESS_LIMITS = {
  maxConnections: 100,
  connectionsPerMinute: 60,
  connectionBurst: 30,
  failedHandshakesPerMinute: 10,
} as const;

export interface AddressLimitOptions {
  /** Open connections from one address at once. */
  maxConnections: number;
  /** New connections from one address: sustained rate... */
  connectionsPerMinute: number;
  /** ...and burst. */
  connectionBurst: number;
  /** Refused handshakes from one address per minute before every handshake from it is refused for the rest of the minute. */
  failedHandshakesPerMinute: number;
}

/**
 * Invite limits (callRegistry.ts): a caller may ring the same person `perPair.burst`
 * times in a row, then once every `perPair.intervalMs`; and ring anyone
 * `perCaller.burst` times in a row, then once every `perCaller.intervalMs`.
 */
export const DEFAULT_INVITE_LIMITS = {
  perPair: { burst: 3, intervalMs: 10_000 },
  perCaller: { burst: 10, intervalMs: 3_000 },
} as const;

export interface InviteLimitOptions {
  perPair: { burst: number; intervalMs: number };
  perCaller: { burst: number; intervalMs: number };
}

export interface TurnOptions {
  urls: string[];
  secret: string;
  ttlSeconds?: number;
}

export interface SignalingServerOptions {
  /** Default '127.0.0.1'; '0.0.0.0' for a LAN. */
  host?: string;
  /** Default 7300 (DEFAULT_PORT); 0 = ephemeral. */
  port?: number;
  /** Empty or undefined = no password. */
  password?: string;
  /** Default 4, min 2, max 16. */
  maxParticipants?: number;
  /**
   * Janus WebSocket API URLs (ws:// or wss://, `--janus-url`): group calls go
   * through Janus's VideoRoom (issue 17). Empty or undefined = mesh only.
   */
  janusUrls?: string[];
  /** Janus's `api_secret`, sent with every request (`--janus-secret`). */
  janusSecret?: string;
  /** VideoRoom's `admin_key`, needed to create rooms when the operator set one (`--janus-admin-key`). */
  janusAdminKey?: string;
  /** The largest call on the SFU; default 16, min 2, max 64 (`--max-sfu-participants`). */
  maxSfuParticipants?: number;
  /** Default 30 000. */
  ringTimeoutMs?: number;
  /** Default 20 000. */
  rejoinGraceMs?: number;
  /** undefined = any origin; else an exact Origin match. Requests without Origin are allowed. */
  allowedOrigins?: string[];
  /** The built renderer to serve at '/', null = none. */
  clientDir?: string | null;
  /** Default 'info'. */
  logLevel?: LogLevel;
  /** Overrides logLevel. */
  logger?: Logger;
  rateLimit?: RateLimitOptions;
  /** TURN REST API credentials. */
  turn?: TurnOptions | null;
  stunUrls?: string[];
  /**
   * redis:// or rediss:// URL: nodes sharing it share presence, calls and relay
   * (see clusterNode.ts). Undefined = a single node with its state in memory.
   */
  redisUrl?: string;
  /** Per network address limits (default DEFAULT_ADDRESS_LIMITS). */
  addressLimits?: AddressLimitOptions;
  /**
   * Peers whose X-Forwarded-For header is believed (a reverse proxy in front of
   * the server): exact IP addresses. Default: the loopback addresses.
   */
  trustedProxies?: string[];
  /**
   * Apply the address limits to loopback clients too (default false: on loopback
   * is the user's own computer — the desktop app, a local proxy without
   * X-Forwarded-For — which an address cap would only lock out).
   */
  limitLoopback?: boolean;
  /**
   * Accepted Host headers (host or host:port, exact, case-insensitive), against DNS
   * rebinding: a page on evil.example whose name later resolves to 127.0.0.1 still
   * sends Host: evil.example. undefined = any host.
   */
  allowedHosts?: string[];
  /** Invite limits (default DEFAULT_INVITE_LIMITS). */
  inviteLimits?: InviteLimitOptions;
  /** Devices one user may have online at once (default 8). */
  maxDevicesPerUser?: number;
  /** Offer a directory: `directory:search` finds online users by display name (default false: nobody is listed). */
  directory?: boolean;
  /**
   * The secret that signs call membership (rejoin tokens), at least 32 characters.
   * Every node of a cluster needs the same one. When absent, the secret is read
   * from (or generated once into) `dataDir`/membership.key; with neither, a
   * random secret lives in memory and calls cannot be rejoined after a restart.
   */
  membershipSecret?: string;
  /** Where the server keeps what must survive a restart (membership.key). */
  dataDir?: string;
  /**
   * https + wss (tls.ts): the operator's PEM files, or a self-signed certificate
   * generated once into `dataDir`. Default null: plain http + ws.
   */
  tls?: { certFile: string; keyFile: string } | { selfSigned: true } | null;
  /** With tls: also listen for plain http on this port and redirect every request to https. */
  httpRedirectPort?: number;
  /** Advertise the server on the local network by mDNS as _parley._tcp (mdns.ts). Default false. */
  mdns?: boolean;
  /** The name shown for it in "Parley servers on your network" (default: "Parley on <host name>"). */
  serverName?: string;
}

const intIn = (min: number, max: number) =>
  z.number().int(`must be a whole number from ${min} to ${max}`).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/** An Origin header value: scheme://host[:port] without a path, or the literal "null". */
const originSchema = z
  .string()
  .regex(/^(null|[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+)$/i, 'each origin is scheme://host[:port] with no path, e.g. https://parley.example');

const turnUrlSchema = z.string().regex(/^turns?:[^\s]+$/i, 'each TURN URL starts with turn: or turns:');
const stunUrlSchema = z.string().regex(/^stuns?:[^\s]+$/i, 'each STUN URL starts with stun: or stuns:');

const janusUrlSchema = z
  .string()
  .refine((s) => /^wss?:\/\/[^\s/?#]+(\/[^\s]*)?$/i.test(s) && URL.canParse(s), 'each Janus URL is a ws:// or wss:// URL such as ws://127.0.0.1:8188');

const redisUrlSchema = z
  .string()
  .refine((s) => /^rediss?:\/\/[^\s/?#]+(\/\d*)?$/.test(s) && URL.canParse(s), 'must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379');

const loggerSchema = z.custom<Logger>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    ['info', 'warn', 'error', 'debug', 'child'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  'must be a pino logger',
);

const optionsSchema = z.strictObject({
  host: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  port: intIn(0, 65535).default(DEFAULT_PORT),
  password: z
    .string()
    .max(LIMITS.passwordMax, `must be at most ${LIMITS.passwordMax} characters`)
    .optional()
    .transform((p) => p ?? ''),
  maxParticipants: intIn(2, 16).default(4),
  janusUrls: z.array(janusUrlSchema).max(32, 'at most 32 Janus URLs').default([]),
  janusSecret: z.string().min(1, 'the Janus API secret must not be empty').max(1024).optional(),
  janusAdminKey: z.string().min(1, 'the Janus admin key must not be empty').max(1024).optional(),
  maxSfuParticipants: intIn(2, 64).default(16),
  ringTimeoutMs: intIn(1, 10 * 60_000).default(30_000),
  rejoinGraceMs: intIn(1, 10 * 60_000).default(20_000),
  allowedOrigins: z.array(originSchema).optional(),
  clientDir: z.string().min(1).nullable().default(null),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  logger: loggerSchema.optional(),
  rateLimit: z
    .strictObject({
      capacity: intIn(1, 1_000_000),
      refillPerSecond: z.number().positive('must be above 0').max(1_000_000),
      maxViolations: intIn(1, 1_000_000),
      windowMs: intIn(1, 24 * 3600_000),
    })
    .default(DEFAULT_RATE_LIMIT),
  turn: z
    .strictObject({
      urls: z.array(turnUrlSchema).min(1, 'needs at least one TURN URL'),
      secret: z.string().min(1, 'the TURN secret must not be empty'),
      // At most a day: a leaked credential must not outlive the day it was minted.
      ttlSeconds: intIn(60, 24 * 3600).default(3600),
    })
    .nullable()
    .default(null),
  stunUrls: z.array(stunUrlSchema).default([]),
  redisUrl: redisUrlSchema.optional(),
  addressLimits: z
    .strictObject({
      maxConnections: intIn(1, 1_000_000),
      connectionsPerMinute: intIn(1, 1_000_000),
      connectionBurst: intIn(1, 1_000_000),
      failedHandshakesPerMinute: intIn(1, 1_000_000),
    })
    .default(DEFAULT_ADDRESS_LIMITS),
  trustedProxies: z.array(z.string().min(1, 'a trusted proxy is an IP address')).default(['127.0.0.1', '::1', '::ffff:127.0.0.1']),
  limitLoopback: z.boolean().default(false),
  allowedHosts: z.array(z.string().min(1, 'an allowed host is host or host:port')).optional(),
  inviteLimits: z
    .strictObject({
      perPair: z.strictObject({ burst: intIn(1, 1_000_000), intervalMs: intIn(0, 24 * 3600_000) }),
      perCaller: z.strictObject({ burst: intIn(1, 1_000_000), intervalMs: intIn(0, 24 * 3600_000) }),
    })
    .default(DEFAULT_INVITE_LIMITS),
  maxDevicesPerUser: intIn(1, 64).default(8),
  directory: z.boolean().default(false),
  membershipSecret: z.string().min(32, 'the membership secret must be at least 32 characters').optional(),
  dataDir: z.string().min(1, 'must not be empty').optional(),
  tls: z
    .union(
      [
        z.strictObject({ certFile: z.string().min(1, 'needs a certificate file'), keyFile: z.string().min(1, 'needs a key file') }),
        z.strictObject({ selfSigned: z.literal(true) }),
      ],
      { error: 'must be { certFile, keyFile } or { selfSigned: true }' },
    )
    .nullable()
    .default(null),
  httpRedirectPort: intIn(1, 65535).optional(),
  mdns: z.boolean().default(false),
  serverName: z
    .string()
    .min(1, 'must not be empty')
    .refine((name) => Buffer.byteLength(name, 'utf8') <= 63, 'must be at most 63 bytes (an mDNS name)')
    .regex(/^[^\p{Cc}.]+$/u, 'must be one line with no dots')
    .optional(),
});

export type ResolvedOptions = z.output<typeof optionsSchema>;

/** Thrown for a bad option; `option` names it (dotted path for nested ones). */
export class OptionError extends Error {
  readonly code = 'ERR_PARLEY_OPTION';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
    this.name = 'OptionError';
  }
}

export function resolveOptions(input: unknown = {}): ResolvedOptions {
  const parsed = optionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    if (issue?.code === 'unrecognized_keys') {
      const keys = issue.keys.join(', ');
      const where = path ? ` in "${path}"` : '';
      throw new OptionError(keys, `Unknown signaling server option${where}: ${keys}. Check the spelling against SignalingServerOptions.`);
    }
    const option = path || '(options)';
    throw new OptionError(option, `Invalid signaling server option "${option}": ${issue?.message ?? 'invalid value'}.`);
  }
  const options = parsed.data;
  if (options.clientDir !== null) {
    const dir = resolve(options.clientDir);
    const index = join(dir, 'index.html');
    if (!existsSync(index) || !statSync(index).isFile()) {
      throw new OptionError(
        'clientDir',
        `Invalid signaling server option "clientDir": ${dir} has no index.html. Build the renderer first (npm run build:renderer) or serve no client.`,
      );
    }
    options.clientDir = dir;
  }
  if (options.httpRedirectPort !== undefined) {
    if (options.tls === null) {
      throw new OptionError('httpRedirectPort', 'Invalid signaling server option "httpRedirectPort": redirects to https need TLS (the tls option).');
    }
    if (options.httpRedirectPort === options.port) {
      throw new OptionError('httpRedirectPort', 'Invalid signaling server option "httpRedirectPort": must differ from the https port.');
    }
  }
  if (options.mdns && isLoopbackHost(options.host)) {
    throw new OptionError(
      'mdns',
      `Invalid signaling server option "mdns": announcing the server to the network needs a host other computers can reach (e.g. 0.0.0.0), not ${options.host}.`,
    );
  }
  if (options.tls !== null && 'selfSigned' in options.tls && options.dataDir === undefined) {
    throw new OptionError('tls', 'Invalid signaling server option "tls": a self-signed certificate is kept in dataDir, so its fingerprint survives a restart; give a dataDir.');
  }
  return options;
}
