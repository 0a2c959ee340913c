/**
 * The bridge between Parley's host (Electron main, or the browser) and the renderer.
 *
 * This file and signaling-server/protocol.ts are the two contracts, and leaves: this
 * one imports only the protocol's id, name and status schemas, so a user id means
 * the same thing on the wire and across the bridge. Main implements `ParleyBridge`
 * over IPC, the preload exposes it through contextBridge, the browser host
 * (renderer/host/web.ts) implements it with browser APIs, and the renderer consumes
 * it from one place. Every method is one row of `BRIDGE` below (channel, kind and
 * schemas); the interface, the channel maps, the preload bridge and main's IPC
 * registration are all derived from that table. Every payload that crosses a
 * process boundary is parsed by its row's schemas on the receiving side.
 */
import { z } from 'zod';
import {
  LIMITS,
  callMediaSchema,
  chosenStatusSchema,
  receivedNameSchema,
  userIdSchema,
  presenceStatusSchema as serverPresenceSchema,
  strangerCallsSchema,
} from '../signaling-server/protocol';

export { callMediaSchema, chosenStatusSchema };

// ─── shared value schemas ───────────────────────────────────────────────────

const idSchema = userIdSchema;
/** Names the host stores came from the server, which checked them already (loosely re-checked). */
const nameSchema = receivedNameSchema;

/** The protocol's statuses, plus `offline` for contacts the tray lists who are not connected. */
export const presenceStatusSchema = z.enum([...serverPresenceSchema.options, 'offline']);

/**
 * The ids a Parley from before issue 12 made up for itself (kept in identity.json on
 * the desktop, `parley.user` in a browser). They prove nothing; they are read once,
 * to set aside what was keyed by them (see legacyRecordSchema).
 */
export const identitySchema = z.strictObject({ userId: idSchema, deviceId: idSchema });
export type Identity = z.infer<typeof identitySchema>;

// ─── the signaling server: joining one, or hosting one (issue 13) ──────────

const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/**
 * A TLS certificate's SHA-256 fingerprint in the form browsers and openssl show it:
 * 32 upper-case hex pairs joined by ':' (normalizeFingerprint turns typed text into it).
 */
export const fingerprintSchema = z
  .string()
  .regex(FINGERPRINT, 'a SHA-256 certificate fingerprint is 32 pairs of hex digits joined by ":" (AB:CD:…), as the server owner’s Parley shows it');

/**
 * A fingerprint as a person may type or paste it (any case, with or without ':' or
 * spaces, optionally prefixed "SHA256:") → the canonical form; null when it is not
 * 32 bytes of hex. (signaling-server/tls.ts has the same rule for the server side.)
 */
export function normalizeFingerprint(text: string): string | null {
  const hex = text
    .trim()
    .replace(/^sha-?256[:\s]\s*/i, '')
    .replace(/[\s:]/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return (hex.match(/../g) ?? []).join(':');
}

/** True for names and addresses only this computer can reach (a URL's hostname, brackets allowed). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(h)) return h.startsWith('127.');
  return h === '::1' || /^::ffff:127\./.test(h) || /^::ffff:7f[0-9a-f]{2}:/.test(h);
}

/**
 * Stable codes of the problems the settings rules below find (`params.problem` on their
 * zod issues, and `muteShortcutIssue`). The renderer says each in the UI's language
 * (issue 16.1); the English messages stay for logs and the host's IPC errors.
 */
export const SETTINGS_PROBLEMS = [
  'server_url_credentials',
  'server_url_path',
  'server_plaintext',
  'server_fingerprint_plaintext',
  'turn_secret_missing',
  'turn_secret_unused',
  'join_empty',
  'shortcut_not_understood',
  'shortcut_needs_modifier',
] as const;
export type SettingsProblem = (typeof SETTINGS_PROBLEMS)[number];

/** The code a zod issue of these schemas carries, or null (a built-in check: the caller reads its path). */
export function settingsProblemOf(issue: { code: string; params?: Record<string, unknown> }): SettingsProblem | null {
  const problem = issue.code === 'custom' ? issue.params?.problem : undefined;
  return SETTINGS_PROBLEMS.find((known) => known === problem) ?? null;
}

/** Why a non-loopback http:// server is refused unless the person allows plaintext for it. */
export const PLAINTEXT_EXPLANATION =
  'it uses plain http: other people on the network could read your password and who you call, and browsers give such pages no camera or microphone. Use its https:// address (with the fingerprint its owner gives you), or tick "allow plaintext" for this server if you accept that.';

/**
 * A signaling server URL as stored: http(s), an origin only (socket.io would read a
 * path as a namespace), no user name or password in it.
 */
export const serverUrlSchema = z
  .url({ protocol: /^https?$/, error: 'a server address is an http:// or https:// URL, e.g. https://192.168.1.20:7300' })
  .max(2048)
  .superRefine((value, ctx) => {
    if (!URL.canParse(value)) return; // already refused above
    const url = new URL(value);
    if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', params: { problem: 'server_url_credentials' }, message: 'put the password in its own field, not in the server address' });
    }
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
      ctx.addIssue({ code: 'custom', params: { problem: 'server_url_path' }, message: 'a server address has no path, query or #part: just https://host:port' });
    }
  });

/** One server to join, in failover order. */
export const joinServerSchema = z
  .strictObject({
    url: serverUrlSchema,
    /**
     * The SHA-256 fingerprint of its certificate, pinned: the app connects only when the
     * server presents exactly this one (needed for self-signed servers; with it, even a
     * CA-valid certificate must match). null: the system's normal certificate checks.
     */
    fingerprint: fingerprintSchema.nullable(),
    password: z.string().max(256),
    /** The person accepted plain http for this non-loopback server (see PLAINTEXT_EXPLANATION). */
    allowPlaintext: z.boolean(),
  })
  .superRefine((server, ctx) => {
    if (!URL.canParse(server.url)) return;
    const url = new URL(server.url);
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !server.allowPlaintext) {
      ctx.addIssue({ code: 'custom', path: ['url'], params: { problem: 'server_plaintext', host: url.host }, message: `${url.host}: ${PLAINTEXT_EXPLANATION}` });
    }
    if (url.protocol === 'http:' && server.fingerprint !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['fingerprint'],
        params: { problem: 'server_fingerprint_plaintext' },
        message: 'a fingerprint pins an https:// server; this address is plain http',
      });
    }
  });
export type JoinServer = z.infer<typeof joinServerSchema>;

const stunUrlSchema = z.string().max(512).regex(/^stuns?:[^\s]+$/i, 'each STUN URL starts with stun: or stuns:, e.g. stun:stun.example.org:3478');
const turnUrlSchema = z.string().max(512).regex(/^turns?:[^\s]+$/i, 'each TURN URL starts with turn: or turns:, e.g. turn:turn.example.org:3478');

/** The embedded server's own settings, used in the two host modes (kept while joining). */
export const hostServerSchema = z
  .strictObject({
    port: z.number().int('the port is a whole number').min(1024, 'the port must be 1024 or above').max(65535, 'the port must be at most 65535'),
    /**
     * The password people give to sign in. LAN mode always has one: main generates it
     * (and tells the person) when it is empty.
     */
    password: z.string().max(256),
    /** Handed to callers for ICE (stun:/stuns:). */
    stunUrls: z.array(stunUrlSchema).max(8),
    /** TURN servers (turn:/turns:) that share `turnSecret` (TURN REST API credentials). */
    turnUrls: z.array(turnUrlSchema).max(8),
    turnSecret: z.string().max(256),
  })
  .superRefine((host, ctx) => {
    if (host.turnUrls.length > 0 && host.turnSecret === '') {
      ctx.addIssue({ code: 'custom', path: ['turnSecret'], params: { problem: 'turn_secret_missing' }, message: 'TURN URLs need the TURN server’s shared secret' });
    }
    if (host.turnUrls.length === 0 && host.turnSecret !== '') {
      ctx.addIssue({ code: 'custom', path: ['turnUrls'], params: { problem: 'turn_secret_unused' }, message: 'a TURN secret needs at least one TURN URL' });
    }
  });
export type HostServer = z.infer<typeof hostServerSchema>;

/**
 * Where the renderer finds its signaling server:
 * - `off`: this computer hosts nothing and joins `join` (failover in order);
 * - `local`: main hosts on 127.0.0.1 only (plain http: nothing leaves this computer);
 * - `lan`: main hosts for the local network: https + wss with a self-signed
 *   certificate (kept in <userData>/server), a password always, announced by mDNS.
 * Both parts are kept whatever the mode, so switching back loses nothing.
 */
export const serverChoiceSchema = z
  .strictObject({
    mode: z.enum(['off', 'local', 'lan']),
    join: z.array(joinServerSchema).max(8),
    host: hostServerSchema,
  })
  .superRefine((choice, ctx) => {
    if (choice.mode === 'off' && choice.join.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['join'], params: { problem: 'join_empty' }, message: 'to join a server, add its address (or host one on this computer)' });
    }
  });
export type ServerChoice = z.infer<typeof serverChoiceSchema>;
export type ServerMode = ServerChoice['mode'];

export const DEFAULT_HOST_SERVER: HostServer = { port: 7300, password: '', stunUrls: [], turnUrls: [], turnSecret: '' };

// ─── global shortcut ────────────────────────────────────────────────────────

const SHORTCUT_MODIFIERS = new Set(
  ['Command', 'Cmd', 'Control', 'Ctrl', 'CommandOrControl', 'CmdOrCtrl', 'Alt', 'Option', 'AltGr', 'Shift', 'Super', 'Meta'].map((m) =>
    m.toLowerCase(),
  ),
);
/** Keys that type nothing: Shift is a modifier enough for these. */
const NON_TYPING_KEY = /^(f([1-9]|1[0-9]|2[0-4])|volumeup|volumedown|volumemute|medianexttrack|mediaprevioustrack|mediastop|mediaplaypause|printscreen)$/i;
const NAMED_KEY =
  /^(plus|space|tab|capslock|numlock|scrolllock|backspace|delete|insert|return|enter|up|down|left|right|home|end|pageup|pagedown|escape|esc|num[0-9]|numdec|numadd|numsub|nummult|numdiv)$/i;

/**
 * Why `accelerator` cannot be the global mute shortcut, or null when it can (empty
 * turns it off). A global shortcut takes its keys from every other app, so it needs
 * a modifier other than Shift (Shift+M would take the capital M from every text
 * field), except that Shift is enough for keys that type nothing (F1–F24, media keys).
 * Accelerator syntax: https://www.electronjs.org/docs/latest/api/accelerator
 */
export function muteShortcutProblem(accelerator: string): string | null {
  const issue = muteShortcutIssue(accelerator);
  if (issue === null) return null;
  if (issue.problem === 'shortcut_not_understood') {
    return `"${issue.shown}" is not a key combination Parley understands; write it like CommandOrControl+Shift+M (modifiers, then one key).`;
  }
  return `The mute shortcut "${issue.shown}" needs a modifier such as Ctrl, Alt, Cmd or Super (Shift alone is not enough), or it would take that key from every other app; try CommandOrControl+Shift+M.`;
}

/** muteShortcutProblem's verdict as a code (the renderer words it in the UI's language), or null when it may be used. */
export function muteShortcutIssue(
  accelerator: string,
): { problem: Extract<SettingsProblem, 'shortcut_not_understood' | 'shortcut_needs_modifier'>; shown: string } | null {
  const wanted = accelerator.trim();
  if (wanted === '') return null;
  const shown = wanted.slice(0, 64);
  const parts = wanted.split('+');
  const key = parts.at(-1) ?? '';
  const modifiers = parts.slice(0, -1).map((m) => m.toLowerCase());
  const keyKnown = /^[\x21-\x7e]$/.test(key) || NON_TYPING_KEY.test(key) || NAMED_KEY.test(key);
  if (!keyKnown || modifiers.some((m) => !SHORTCUT_MODIFIERS.has(m)) || new Set(modifiers).size !== modifiers.length) {
    return { problem: 'shortcut_not_understood', shown };
  }
  const strong = modifiers.some((m) => m !== 'shift');
  if (!strong && !(modifiers.includes('shift') && NON_TYPING_KEY.test(key))) return { problem: 'shortcut_needs_modifier', shown };
  return null;
}

/** The UI language: follow the OS/browser ('system'), or one Parley speaks (issue 16.1). */
export const languageChoiceSchema = z.enum(['system', 'en', 'ru']);
export type LanguageChoice = z.infer<typeof languageChoiceSchema>;

/** Settings → Appearance: follow the system, or always light or dark (issue 16.4). */
export const themeChoiceSchema = z.enum(['system', 'light', 'dark']);
export type ThemeChoice = z.infer<typeof themeChoiceSchema>;

export const settingsSchema = z.strictObject({
  displayName: z.string().max(40),
  status: chosenStatusSchema,
  server: serverChoiceSchema,
  /** Relay every call through TURN so peers never learn this device's IP address. */
  relayOnly: z.boolean(),
  /** Accelerator for toggling mute from anywhere (desktop), empty to disable. */
  muteShortcut: z
    .string()
    .max(64)
    .superRefine((value, ctx) => {
      const issue = muteShortcutIssue(value);
      if (issue !== null) ctx.addIssue({ code: 'custom', params: { problem: issue.problem }, message: muteShortcutProblem(value) ?? issue.problem });
    }),
  closeToTray: z.boolean(),
  startMinimised: z.boolean(),
  /** Desktop: open Parley when the person logs in (login item; an XDG autostart file on Linux). */
  startAtLogin: z.boolean(),
  /** Light or dark, or follow the system's prefers-color-scheme (live). */
  theme: themeChoiceSchema,
  devices: z.strictObject({
    microphone: z.string().max(256).nullable(),
    camera: z.string().max(256).nullable(),
    speaker: z.string().max(256).nullable(),
  }),
  /** Largest file accepted or sent in a call, in bytes. */
  maxFileBytes: z
    .number()
    .int()
    .min(1024)
    .max(2 * 1024 * 1024 * 1024),
  /**
   * People whose calls this user refuses (Settings → Blocked). Kept by the host and
   * sent to the server (`block:set`) after every connection; at most the server's
   * LIMITS.maxBlockedUsers.
   */
  blockedUserIds: z.array(idSchema).max(LIMITS.maxBlockedUsers),
  /** Calls from people who are not mutual contacts: ring, ask first (a quiet card, no pre-connect), or refuse. */
  strangerCalls: strangerCallsSchema,
  /**
   * My camera on the ringing card while a call rings (nothing is sent before
   * Accept), and Accept reuses it; off: no camera before Accept (issue 15).
   */
  ringPreview: z.boolean(),
  /** The UI language, for the renderer and for main's tray menu and notifications. */
  language: languageChoiceSchema,
});
export type Settings = z.infer<typeof settingsSchema>;
export const settingsPatchSchema = settingsSchema.partial();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const DEFAULT_SETTINGS: Settings = {
  displayName: '',
  status: 'available',
  server: { mode: 'local', join: [], host: DEFAULT_HOST_SERVER },
  relayOnly: false,
  muteShortcut: 'CommandOrControl+Shift+M',
  closeToTray: true,
  startMinimised: false,
  startAtLogin: false,
  theme: 'system',
  devices: { microphone: null, camera: null, speaker: null },
  maxFileBytes: 100 * 1024 * 1024,
  blockedUserIds: [],
  strangerCalls: 'ask',
  ringPreview: true,
  language: 'system',
};

export const favouriteSchema = z.strictObject({ userId: idSchema, displayName: nameSchema });
export type Favourite = z.infer<typeof favouriteSchema>;
export const favouritesSchema = z.array(favouriteSchema).max(500);

export const historyEntrySchema = z.strictObject({
  id: idSchema,
  callId: idSchema,
  direction: z.enum(['incoming', 'outgoing']),
  /** Missed: an incoming call nobody answered here. */
  outcome: z.enum(['answered', 'missed', 'declined', 'cancelled', 'no_answer', 'busy', 'failed']),
  media: callMediaSchema,
  peers: z.array(favouriteSchema).min(1).max(16),
  startedAt: z.number().int().nonnegative(),
  durationMs: z.number().int().nonnegative(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export const historySchema = z.array(historyEntrySchema).max(1000);
export const MAX_HISTORY = 500;

/**
 * What was set aside on the first start with keys (issue 12): favourites and blocked
 * people were kept by userIds anyone could claim, which no longer name anyone, so they
 * wait here (with their names) until the person adds them again as contacts. History
 * is kept in place; entries that started before `migratedAt` name such old ids.
 */
export const legacyRecordSchema = z.strictObject({
  migratedAt: z.number().int().nonnegative(),
  oldUserId: idSchema,
  favourites: favouritesSchema,
  blocked: z.array(z.strictObject({ userId: idSchema, displayName: nameSchema.nullable() })).max(LIMITS.maxBlockedUsers),
});
export type LegacyRecord = z.infer<typeof legacyRecordSchema>;

// ─── host → renderer ────────────────────────────────────────────────────────

/**
 * A call started outside the window: tray, deep link, notification. `via: 'link'`
 * marks a parley:// link, which any web page can open: the renderer asks the user
 * before it dials (and offers audio first, whatever the link says).
 */
export const callRequestSchema = z.strictObject({
  userId: idSchema,
  media: callMediaSchema,
  via: z.enum(['tray', 'link']).optional(),
});
export type CallRequest = z.infer<typeof callRequestSchema>;

/**
 * An invite to become someone's contact (issue 12): their userId and the one-time
 * secret their app issued. From `parley://add/<userId>/<secret>` links (main) and
 * the browser build's `#add/<userId>/<secret>`; the renderer asks before it sends.
 */
export const inviteRefSchema = z.strictObject({
  userId: idSchema,
  secret: z
    .string()
    .min(16)
    .max(LIMITS.inviteSecretMax)
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url text'),
});
export type InviteRef = z.infer<typeof inviteRefSchema>;

/** A command from the tray, a notification or a global shortcut. */
export const callActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('accept'), video: z.boolean() }),
  z.strictObject({ type: z.literal('decline') }),
  z.strictObject({ type: z.literal('hangup') }),
  z.strictObject({ type: z.literal('toggle-mute') }),
  z.strictObject({ type: z.literal('toggle-camera') }),
  z.strictObject({ type: z.literal('toggle-screen-share') }),
  z.strictObject({ type: z.literal('show-call') }),
  z.strictObject({ type: z.literal('set-status'), status: chosenStatusSchema }),
  /** The machine resumed from sleep or was unlocked: the network may have changed under a call. */
  z.strictObject({ type: z.literal('network-check') }),
]);
export type CallAction = z.infer<typeof callActionSchema>;

export const screenSourceSchema = z.strictObject({
  id: z.string().min(1).max(256),
  name: z.string().max(512),
  kind: z.enum(['screen', 'window']),
  /** data: URL of a PNG thumbnail. */
  thumbnail: z.string().max(2 * 1024 * 1024),
  appIcon: z.string().max(512 * 1024).nullable(),
});
export type ScreenSource = z.infer<typeof screenSourceSchema>;
export const screenSourceRequestSchema = z.strictObject({
  requestId: z.string().min(1).max(64),
  sources: z.array(screenSourceSchema).max(200),
});
export type ScreenSourceRequest = z.infer<typeof screenSourceRequestSchema>;
export const screenSourceChoiceSchema = z.strictObject({
  requestId: z.string().min(1).max(64),
  sourceId: z.string().min(1).max(256).nullable(),
});
export type ScreenSourceChoice = z.infer<typeof screenSourceChoiceSchema>;

/** Something the host wants the person to know (a corrupt file moved aside, a shortcut taken). */
export const hostNoticeSchema = z.strictObject({
  level: z.enum(['info', 'warning', 'error']),
  /** In English: for logs, and shown when the renderer cannot say it in the UI's language. */
  message: z.string().max(1000),
  /** What it is about, for the renderer to say in the UI's language (renderer/state/hostNoticeText.ts). */
  about: z
    .discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('legacyContacts'),
        favourites: z.number().int().min(0).max(1_000_000),
        blocked: z.number().int().min(0).max(1_000_000),
        history: z.boolean(),
      }),
    ])
    .optional(),
});
export type HostNotice = z.infer<typeof hostNoticeSchema>;

// ─── renderer → host ────────────────────────────────────────────────────────

export const trayContactSchema = z.strictObject({
  userId: idSchema,
  displayName: nameSchema,
  status: presenceStatusSchema,
  favourite: z.boolean(),
});
export type TrayContact = z.infer<typeof trayContactSchema>;

/** Everything the host shows outside the window: tray icon and menu, power blocker. */
export const callStateReportSchema = z.strictObject({
  phase: z.enum(['offline', 'idle', 'ringing', 'dialing', 'in_call']),
  status: chosenStatusSchema,
  muted: z.boolean(),
  cameraOn: z.boolean(),
  sharing: z.boolean(),
  /** Who rings, while `phase` is ringing. */
  caller: nameSchema.nullable(),
  contacts: z.array(trayContactSchema).max(2000),
});
export type CallStateReport = z.infer<typeof callStateReportSchema>;

export const incomingCallNoticeSchema = z.strictObject({
  callId: idSchema,
  callerName: nameSchema,
  media: callMediaSchema,
});
export type IncomingCallNotice = z.infer<typeof incomingCallNoticeSchema>;

export const externalUrlSchema = z.url({ protocol: /^https$/ }).max(2048);

/**
 * One line of the renderer's log. Desktop: main writes it to its pino log (child
 * `{ source: 'renderer', scope }`), rate-limited per window; web: the console.
 * An entry that fails this schema is refused like any other request (the preload
 * throws), so the renderer's logger truncates before it sends.
 */
export const logEntrySchema = z.strictObject({
  level: z.enum(['debug', 'info', 'warn', 'error']),
  /** Where in the renderer: 'peer', 'call.features', 'files:receive'. */
  scope: z
    .string()
    .max(64)
    .regex(/^[a-z][a-zA-Z0-9.:-]*$/),
  message: z.string().max(1000),
  /** A stack or other detail, kept apart from the message. */
  detail: z.string().max(4000).optional(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

// Received files on the desktop: the renderer streams an accepted file's chunks to
// main, which names, writes and hashes it (main/files/downloadWriter.ts).

/** The largest piece of a received file one write carries (the renderer sends 16 KiB chunks). */
export const MAX_DOWNLOAD_WRITE_BYTES = 1024 * 1024;
const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/);
/** A Uint8Array from this realm or another (IPC, contextBridge): checked by its tag, not instanceof. */
const bytesSchema = z.custom<Uint8Array<ArrayBuffer>>(
  (v) => Object.prototype.toString.call(v) === '[object Uint8Array]',
  'must be a Uint8Array',
);
export const downloadBeginSchema = z.strictObject({
  /** The sender's name for the file; main sanitises it again and never overwrites. */
  name: z.string().min(1).max(255),
  size: z
    .number()
    .int()
    .nonnegative()
    .max(2 * 1024 * 1024 * 1024),
  /** Lower-case hex SHA-256 the finished file must have. */
  sha256: sha256HexSchema,
});
export type DownloadBegin = z.infer<typeof downloadBeginSchema>;
export const downloadRefSchema = z.strictObject({ id: idSchema });
export type DownloadRef = z.infer<typeof downloadRefSchema>;
export const downloadChunkSchema = z.strictObject({
  id: idSchema,
  chunk: bytesSchema.refine((b) => b.byteLength <= MAX_DOWNLOAD_WRITE_BYTES, `at most ${MAX_DOWNLOAD_WRITE_BYTES} bytes per write`),
});
export type DownloadChunk = z.infer<typeof downloadChunkSchema>;
export const downloadStartedSchema = z.strictObject({ id: idSchema });
export const downloadResultSchema = z.discriminatedUnion('ok', [
  /** Verified and renamed to its final name: `path` is where it is. */
  z.strictObject({ ok: z.literal(true), path: z.string().min(1).max(4096), sha256: sha256HexSchema }),
  /** Thrown away: the bytes did not match the hash, or fewer arrived than announced. */
  z.strictObject({ ok: z.literal(false), reason: z.enum(['checksum', 'size']), message: z.string().max(1000) }),
]);
export type DownloadResult = z.infer<typeof downloadResultSchema>;
/** The folder received files are saved to (absolute path). */
export const downloadFolderSchema = z.string().min(1).max(4096);

/** Which host the renderer runs in: the packaged app, or a page served by the signaling server. */
export const appInfoSchema = z.strictObject({
  host: z.enum(['desktop', 'web']),
  version: z.string().max(64),
  platform: z.string().max(64),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

/** The signaling server the renderer should connect to now. */
export const serverEndpointSchema = z
  .strictObject({
    urls: z.array(z.string().max(2048)).min(1).max(8),
    /** The first server's password. */
    password: z.string().max(256),
    /** Each server's own password, in the order of `urls`; absent: `password` for every one. */
    passwords: z.array(z.string().max(256)).max(8).optional(),
  })
  .refine((e) => e.passwords === undefined || e.passwords.length === e.urls.length, 'one password per server URL');
export type ServerEndpoint = z.infer<typeof serverEndpointSchema>;

/**
 * The embedded server as it is now (desktop; the browser host is always `off`). The
 * renderer shows it in Settings → Server and builds "Share how to join" from it.
 */
export const hostedServerSchema = z.discriminatedUnion('state', [
  /** Not hosting: settings.server.mode is `off`. */
  z.strictObject({ state: z.literal('off') }),
  z.strictObject({ state: z.literal('starting'), mode: z.enum(['local', 'lan']), port: z.number().int() }),
  /** It did not start; `message` says why and what to do (also sent as a notice). */
  z.strictObject({ state: z.literal('failed'), mode: z.enum(['local', 'lan']), port: z.number().int(), message: z.string().max(1000) }),
  z.strictObject({
    state: z.literal('running'),
    mode: z.enum(['local', 'lan']),
    port: z.number().int().min(1).max(65535),
    /** What this app's own window connects to (https://127.0.0.1:port in LAN mode, pinned). */
    localUrl: z.string().max(2048),
    /** What other computers use: https://<address>:port, one per LAN address, IPv4 first (empty in local mode). */
    urls: z.array(z.string().max(2048)).max(32),
    /** LAN mode: the self-signed certificate's SHA-256 fingerprint, which people pin. */
    fingerprint: fingerprintSchema.nullable(),
    passwordRequired: z.boolean(),
    /** LAN mode: the name announced by mDNS ("Parley on <computer>"), null when not announced. */
    announcedAs: z.string().max(100).nullable(),
  }),
]);
export type HostedServer = z.infer<typeof hostedServerSchema>;

/**
 * A Parley server announced on the local network by mDNS (signaling-server/mdns.ts),
 * checked by main. Its fingerprint is a claim anyone on the network can make: the
 * renderer shows it and asks the person to confirm (or compare) before pinning it.
 */
export const discoveredServerSchema = z.strictObject({
  /** The DNS-SD instance name: this server's key in the list. */
  instance: z.string().max(100),
  name: z.string().max(63),
  protocolVersion: z.number().int().nonnegative(),
  /** It speaks this app's protocol version. */
  compatible: z.boolean(),
  tls: z.boolean(),
  fingerprint: fingerprintSchema.nullable(),
  passwordRequired: z.boolean(),
  port: z.number().int().min(1).max(65535),
  addresses: z.array(z.string().max(64)).max(16),
  /** https://address:port (http:// when the server has no TLS). */
  url: z.string().max(2048),
});
export type DiscoveredServer = z.infer<typeof discoveredServerSchema>;
export const discoveredServersSchema = z.array(discoveredServerSchema).max(100);

/**
 * An invitation to join a server: from a parley://join link (main), the browser
 * build's https://host:port/#join?… address, or the "Share how to join" panel.
 * Opening one never joins: the renderer asks first, showing the fingerprint.
 */
export const joinRefSchema = z.strictObject({
  server: serverUrlSchema.refine((u) => u.startsWith('https://'), 'a join link names an https:// server'),
  fingerprint: fingerprintSchema.nullable(),
  password: z.string().max(256),
});
export type JoinRef = z.infer<typeof joinRefSchema>;

/** What the renderer asks main to try before saving a server: reach it, and see the certificate it presents. */
export const serverProbeRequestSchema = z.strictObject({ url: serverUrlSchema, fingerprint: fingerprintSchema.nullable() });
export type ServerProbeRequest = z.infer<typeof serverProbeRequestSchema>;
export const serverProbeResultSchema = z.discriminatedUnion('ok', [
  /** Reachable and trusted (pinned match, or a CA-valid certificate); `fingerprint` is what it presented (null over http). */
  z.strictObject({ ok: z.literal(true), fingerprint: fingerprintSchema.nullable() }),
  z.strictObject({
    ok: z.literal(false),
    /**
     * fingerprint_mismatch: it presented another certificate than the pinned one;
     * untrusted: no pin, and the certificate is not valid for that name (self-signed);
     * unreachable: no TLS or http answer.
     */
    reason: z.enum(['fingerprint_mismatch', 'untrusted', 'unreachable']),
    message: z.string().max(1000),
    /** What it presented, when it presented anything: to compare with what its owner says. */
    fingerprint: fingerprintSchema.nullable(),
  }),
]);
export type ServerProbeResult = z.infer<typeof serverProbeResultSchema>;

export type Unsubscribe = () => void;

// ─── the bridge: one row per method ─────────────────────────────────────────

/** The request schema of a method that takes no argument. */
export const noPayload = z.undefined();

/** renderer → host, answered (`ipcRenderer.invoke` on the desktop). */
const invoke = <const C extends string, Q extends z.ZodType, R extends z.ZodType>(channel: C, request: Q, response: R) =>
  ({ channel, kind: 'invoke', request, response }) as const;
/** renderer → host, one way (`ipcRenderer.send`). */
const send = <const C extends string, Q extends z.ZodType>(channel: C, request: Q) => ({ channel, kind: 'send', request }) as const;
/** host → renderer: `onX(listener)` returns its unsubscribe (`webContents.send`). */
const event = <const C extends string, P extends z.ZodType>(channel: C, payload: P) => ({ channel, kind: 'event', payload }) as const;

export type BridgeRow = ReturnType<typeof invoke> | ReturnType<typeof send> | ReturnType<typeof event>;

/**
 * Everything host-specific the renderer may do, one method per capability. The
 * schemas are checked on the receiving side of every hop: main parses requests, the
 * preload parses answers and events.
 */
export const BRIDGE = {
  getAppInfo: invoke('parley:app-info', noPayload, appInfoSchema),
  /**
   * What was set aside when this install moved to keys (null: nothing was). The ids
   * themselves now come from the renderer's key store (renderer/identity/keyStore.ts).
   */
  getLegacy: invoke('parley:legacy', noPayload, legacyRecordSchema.nullable()),

  getSettings: invoke('parley:settings:get', noPayload, settingsSchema),
  /** Validates and stores the patch; resolves with the settings now in force. */
  updateSettings: invoke('parley:settings:update', settingsPatchSchema, settingsSchema),
  /** Where to connect; on desktop this (re)starts the embedded server when hosting. */
  getServerEndpoint: invoke('parley:server:endpoint', noPayload, serverEndpointSchema),
  /** The embedded server now (state, URLs others use, fingerprint, password needed); the browser host: `off`. */
  getHostedServer: invoke('parley:server:hosted', noPayload, hostedServerSchema),
  /**
   * Connects to a server the person typed (TLS handshake only, nothing sent) and says
   * whether it would be trusted with that fingerprint, and which one it presented.
   */
  probeServer: invoke('parley:server:probe', serverProbeRequestSchema, serverProbeResultSchema),
  /**
   * Starts looking for Parley servers on the local network (mDNS); resolves with what is
   * known now, then onDiscoveredServers follows. Stops on stopServerDiscovery, when the
   * window goes away, or after 5 minutes (call again to go on). The browser host rejects.
   */
  startServerDiscovery: invoke('parley:discovery:start', noPayload, discoveredServersSchema),
  stopServerDiscovery: invoke('parley:discovery:stop', noPayload, noPayload),

  getFavourites: invoke('parley:favourites:get', noPayload, favouritesSchema),
  setFavourites: invoke('parley:favourites:set', favouritesSchema, noPayload),
  getHistory: invoke('parley:history:get', noPayload, historySchema),
  addHistoryEntry: invoke('parley:history:add', historyEntrySchema, noPayload),
  clearHistory: invoke('parley:history:clear', noPayload, noPayload),

  /** Tray, power-save blocker and window attention follow this. */
  reportCallState: send('parley:call-state', callStateReportSchema),
  showIncomingCall: invoke('parley:notify:incoming', incomingCallNoticeSchema, noPayload),
  dismissIncomingCall: send('parley:notify:dismiss', idSchema),
  /** Opens an https URL in the system browser. */
  openExternal: invoke('parley:open-external', externalUrlSchema, noPayload),
  /** Answers a screen-source request (null: the person cancelled). */
  chooseScreenSource: send('parley:screen-source:choose', screenSourceChoiceSchema),
  /** Fire and forget: one line for the host's log (see logEntrySchema). */
  log: send('parley:log', logEntrySchema),

  /** Desktop: starts writing a received file into the download folder (the browser host rejects). */
  beginDownload: invoke('parley:download:begin', downloadBeginSchema, downloadStartedSchema),
  /** Appends the next chunk; chunks must be written one after another. */
  writeDownload: invoke('parley:download:write', downloadChunkSchema, noPayload),
  /** Checks size and SHA-256; only a match gets the final name, anything else is deleted. */
  finishDownload: invoke('parley:download:finish', downloadRefSchema, downloadResultSchema),
  /** Stops and deletes a download in progress. */
  abortDownload: invoke('parley:download:abort', downloadRefSchema, noPayload),
  /** Shows a finished download in the system's file manager. */
  revealDownload: invoke('parley:download:reveal', downloadRefSchema, noPayload),
  /** Desktop: where received files are saved. */
  getDownloadFolder: invoke('parley:download-folder:get', noPayload, downloadFolderSchema),
  /** Desktop: lets the person pick the folder (a system dialog); null when they cancelled. */
  chooseDownloadFolder: invoke('parley:download-folder:choose', noPayload, downloadFolderSchema.nullable()),

  onCallRequested: event('parley:call-requested', callRequestSchema),
  onCallAction: event('parley:call-action', callActionSchema),
  onScreenSourcesRequested: event('parley:screen-sources', screenSourceRequestSchema),
  onNotice: event('parley:notice', hostNoticeSchema),
  /** A parley://add/<userId>/<secret> link was opened: the renderer asks before it sends the contact request. */
  onInviteOpened: event('parley:invite-opened', inviteRefSchema),
  /** A parley://join?server=…&fp=…[&password=…] link was opened: the renderer asks before it joins (never joins by itself). */
  onJoinOpened: event('parley:join-opened', joinRefSchema),
  /** The embedded server started, stopped, failed or changed (port, fingerprint, addresses). */
  onHostedServerChanged: event('parley:server:hosted-changed', hostedServerSchema),
  /** The whole list of Parley servers on the network, each time it changes, while discovery runs. */
  onDiscoveredServers: event('parley:discovery:servers', discoveredServersSchema),
} as const satisfies Record<string, BridgeRow>;

type Table = typeof BRIDGE;
export type BridgeMethodName = keyof Table;

/** A method's arguments: none when its request schema is `noPayload`. */
type Args<Q extends z.ZodType> = [z.output<Q>] extends [undefined] ? [] : [request: z.output<Q>];
/** What an invoke resolves with: void when its response schema is `noPayload`. */
type Answer<R extends z.ZodType> = [z.output<R>] extends [undefined] ? void : z.output<R>;

/** The method a row describes, as the renderer calls it. */
export type BridgeMethod<Row> = Row extends { kind: 'invoke'; request: infer Q extends z.ZodType; response: infer R extends z.ZodType }
  ? (...args: Args<Q>) => Promise<Answer<R>>
  : Row extends { kind: 'send'; request: infer Q extends z.ZodType }
    ? (...args: Args<Q>) => void
    : Row extends { kind: 'event'; payload: infer P extends z.ZodType }
      ? (listener: (payload: z.output<P>) => void) => Unsubscribe
      : never;

/** Everything host-specific the renderer may do; see `BRIDGE` for each method. */
export type ParleyBridge = { [N in BridgeMethodName]: BridgeMethod<Table[N]> };

// ─── the channel maps, derived from the table ──────────────────────────────

type Kind = BridgeRow['kind'];
/** Events are named by what happens (`callRequested`), their methods by how to listen (`onCallRequested`). */
type EventName<N> = N extends `on${infer Rest}` ? Uncapitalize<Rest> : N;
type ChannelMap<K extends Kind> = {
  [N in BridgeMethodName as Table[N]['kind'] extends K ? (K extends 'event' ? EventName<N> : N) : never]: Table[N]['channel'];
};

function channelsOf<K extends Kind>(kind: K): ChannelMap<K> {
  const map: Record<string, string> = {};
  for (const [name, row] of Object.entries(BRIDGE)) {
    if (row.kind !== kind) continue;
    const key = kind === 'event' ? name.charAt(2).toLowerCase() + name.slice(3) : name;
    map[key] = row.channel;
  }
  // The loop builds exactly the mapped type; Object.entries loses the key-to-row link.
  return map as ChannelMap<K>;
}

/** renderer → main, request/response (`ipcRenderer.invoke`). */
export const INVOKE_CHANNELS = channelsOf('invoke');
/** renderer → main, one-way (`ipcRenderer.send`). */
export const SEND_CHANNELS = channelsOf('send');
/** main → renderer (`webContents.send`). */
export const EVENT_CHANNELS = channelsOf('event');

type RequestSchemas = {
  [N in BridgeMethodName as Table[N] extends { kind: 'invoke' | 'send'; channel: infer C extends string } ? C : never]: Table[N] extends {
    request: infer Q;
  }
    ? Q
    : never;
};
type EventSchemas = {
  [N in BridgeMethodName as Table[N] extends { kind: 'event'; channel: infer C extends string } ? C : never]: Table[N] extends {
    payload: infer P;
  }
    ? P
    : never;
};

function schemasOf<T>(pick: (row: BridgeRow) => z.ZodType | null): T {
  const map: Record<string, z.ZodType> = {};
  for (const row of Object.values<BridgeRow>(BRIDGE)) {
    const schema = pick(row);
    if (schema !== null) map[row.channel] = schema;
  }
  return map as T;
}

/** The payload schema of every renderer → main channel (`noPayload`: none). */
export const requestSchemas = schemasOf<RequestSchemas>((row) => (row.kind === 'event' ? null : row.request));
/** The payload schema of every main → renderer event. */
export const eventSchemas = schemasOf<EventSchemas>((row) => (row.kind === 'event' ? row.payload : null));

/** Deep link: parley://call/<userId>[?media=audio|video] → a call request, or null. */
export function parseDeepLink(raw: string): CallRequest | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  // RFC 3986 §3.2.2: the host is case-insensitive; Node keeps a non-special scheme's host as typed.
  if (url.protocol !== 'parley:' || url.hostname.toLowerCase() !== 'call' || url.username || url.password || url.port) {
    return null;
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.length !== 1) return null;
  const mediaParam = url.searchParams.get('media') ?? 'audio';
  const parsed = callRequestSchema.safeParse({ userId: segments[0], media: mediaParam });
  return parsed.success ? parsed.data : null;
}

/** Deep link: parley://add/<userId>/<secret> → an invite, or null. */
export function parseInviteLink(raw: string): InviteRef | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'parley:' || url.hostname.toLowerCase() !== 'add' || url.username || url.password || url.port || url.search || url.hash) {
    return null;
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.length !== 2) return null;
  const parsed = inviteRefSchema.safeParse({ userId: segments[0], secret: segments[1] });
  return parsed.success ? parsed.data : null;
}

/** Reads a join link's query (server, fp, password) into a JoinRef, or null. */
function joinRefFrom(params: URLSearchParams): JoinRef | null {
  const keys = [...params.keys()];
  if (keys.some((k) => !['server', 'fp', 'password'].includes(k)) || new Set(keys).size !== keys.length) return null;
  const fp = params.get('fp');
  const fingerprint = fp === null ? null : normalizeFingerprint(fp);
  if (fp !== null && fingerprint === null) return null;
  const server = params.get('server');
  // Stored without the trailing slash URL parsing adds; the schema refuses paths.
  const parsed = joinRefSchema.safeParse({ server: server?.replace(/\/$/, ''), fingerprint, password: params.get('password') ?? '' });
  return parsed.success ? parsed.data : null;
}

/**
 * parley://join?server=<https url>&fp=<sha256>[&password=…] (the desktop's link), or the
 * browser build's https://host:port/#join?fp=…[&password=…] (its server is the page's
 * own origin) → a JoinRef, or null for anything else.
 */
export function parseJoinLink(raw: string): JoinRef | null {
  if (raw.length > 4096) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (url.protocol === 'parley:') {
    if (url.hostname.toLowerCase() !== 'join' || url.port || (url.pathname !== '' && url.pathname !== '/') || url.hash) return null;
    return joinRefFrom(url.searchParams);
  }
  if (url.protocol === 'https:' && url.hash.startsWith('#join?') && (url.pathname === '/' || url.pathname === '') && !url.search) {
    const params = new URLSearchParams(url.hash.slice('#join?'.length));
    if (params.has('server')) return null;
    params.set('server', url.origin);
    return joinRefFrom(params);
  }
  return null;
}

function joinQuery(ref: JoinRef, withServer: boolean, withPassword: boolean): string {
  const params = new URLSearchParams();
  if (withServer) params.set('server', ref.server);
  // Without the colons: shorter, and a QR code of it stays small; normalizeFingerprint reads both.
  if (ref.fingerprint !== null) params.set('fp', ref.fingerprint.replace(/:/g, ''));
  if (withPassword && ref.password !== '') params.set('password', ref.password);
  return params.toString();
}

/** The parley://join link for `ref` ("Share how to join"); the password only when `withPassword`. */
export function joinLink(ref: JoinRef, withPassword: boolean): string {
  return `parley://join?${joinQuery(ref, true, withPassword)}`;
}

/**
 * The link for a browser: the server's own page, with the fingerprint (to compare with
 * what the browser shows before it trusts a self-signed certificate) and, when asked, the password.
 */
export function browserJoinLink(ref: JoinRef, withPassword: boolean): string {
  const query = joinQuery(ref, false, withPassword);
  return query === '' ? `${ref.server}/` : `${ref.server}/#join?${query}`;
}
