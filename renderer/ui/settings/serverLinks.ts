/**
 * Issue 13's pure rules for Settings → Server, "Share how to join" and the join
 * question: the join links, and the checks a server address passes before it is
 * saved or joined. No React and no browser objects, so node tests run them.
 *
 * A join link carries the server's address, its certificate's SHA-256 fingerprint
 * (pinned: the app connects only when the certificate matches) and, when the host
 * chose to share it, the password. Two forms:
 * - `parley://join?server=<url>&fp=<fingerprint>[&password=…][&name=…]`, opened by
 *   the desktop app;
 * - `https://<server>/#join?fp=<fingerprint>[&password=…][&name=…]`, for the browser
 *   build: the page is served by that server, so the address is the page's own.
 *   The password travels after `#`, which the browser never sends to any server.
 */

/** SHA-256 as 32 upper-case hex pairs joined by ':' (what parley-server prints and mDNS carries). */
export const FINGERPRINT_PATTERN = /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/;
const MAX_URL = 2048;
const MAX_PASSWORD = 256;
const MAX_NAME = 64;
export const MAX_SERVERS = 8;

/** How a person may write a fingerprint: any case, with ':' or spaces or nothing between pairs. */
export function normaliseFingerprint(text: string): string | null {
  const hex = text.trim().replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)?.join(':') ?? null;
}

/** The address a person compares, in 8 groups of 4 pairs so it fits a line and is read in pieces. */
export function groupedFingerprint(fingerprint: string): string {
  const pairs = fingerprint.split(':');
  const groups: string[] = [];
  for (let i = 0; i < pairs.length; i += 4) groups.push(pairs.slice(i, i + 4).join(':'));
  return groups.join(' ');
}

/** 127.0.0.0/8, ::1 and localhost: a plaintext connection there never leaves this computer. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** One server to join, as Settings → Server edits it. */
export interface ServerEntry {
  url: string;
  /** The certificate's fingerprint to pin (empty: the certificate must be trusted by the system). */
  fingerprint: string;
  password: string;
  /** The person allowed plain http/ws for this one server, knowing the password and calls' signaling can be read. */
  allowPlaintext: boolean;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Checks one server entry: an http(s) URL without credentials or path tricks, a
 * fingerprint in a form we understand, and — for plain http to another computer —
 * the person's explicit "allow plaintext for this server". Returns the entry as it
 * will be stored (URL reduced to its origin, fingerprint normalised).
 */
export function checkServerEntry(entry: ServerEntry): Checked<ServerEntry> {
  const text = entry.url.trim();
  if (text === '') return { ok: false, message: 'Enter the server’s address, like https://192.168.1.20:7300.' };
  if (text.length > MAX_URL) return { ok: false, message: `The address is longer than ${MAX_URL} characters.` };
  if (!URL.canParse(text)) {
    return { ok: false, message: `“${text.slice(0, 80)}” is not an address Parley understands; write it like https://192.168.1.20:7300.` };
  }
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: `A Parley server address starts with https:// (or http:// on this computer), not ${url.protocol}//.` };
  }
  if (url.username || url.password) {
    return { ok: false, message: 'Put the password in the Password field, not in the address: addresses end up in logs.' };
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return { ok: false, message: `Give the server’s address only (${url.origin}), without a path or anything after it.` };
  }
  const fingerprintText = entry.fingerprint.trim();
  const fingerprint = fingerprintText === '' ? '' : normaliseFingerprint(fingerprintText);
  if (fingerprint === null) {
    return {
      ok: false,
      message: 'The certificate fingerprint must be 64 hexadecimal digits (SHA-256), usually written in pairs like AB:CD:…, as the server prints it.',
    };
  }
  const plaintext = url.protocol === 'http:';
  if (plaintext && fingerprint !== '') {
    return { ok: false, message: 'A fingerprint pins a TLS certificate; this address uses http://, which has none. Use https:// or clear the fingerprint.' };
  }
  if (plaintext && !isLoopbackHost(url.hostname) && !entry.allowPlaintext) {
    return {
      ok: false,
      message: `${url.host} is another computer reached over plain http://: anyone on the network could read the password and see who calls whom, and browsers there get no camera or microphone. Use https:// (the server's --tls option, or "Host for my local network"), or tick "Allow plaintext for this server" if you accept that.`,
    };
  }
  if (entry.password.length > MAX_PASSWORD) return { ok: false, message: `The password is longer than ${MAX_PASSWORD} characters.` };
  return { ok: true, value: { url: url.origin, fingerprint, password: entry.password, allowPlaintext: plaintext && entry.allowPlaintext } };
}

/** The list to join, in failover order: at least one, at most MAX_SERVERS, no address twice. */
export function checkServerList(entries: readonly ServerEntry[]): Checked<ServerEntry[]> {
  if (entries.length === 0) return { ok: false, message: 'Add the address of at least one server to join.' };
  if (entries.length > MAX_SERVERS) return { ok: false, message: `Parley tries at most ${MAX_SERVERS} servers; remove some.` };
  const out: ServerEntry[] = [];
  for (const [index, entry] of entries.entries()) {
    const checked = checkServerEntry(entry);
    if (!checked.ok) return { ok: false, message: entries.length > 1 ? `Server ${index + 1}: ${checked.message}` : checked.message };
    if (out.some((e) => e.url === checked.value.url)) return { ok: false, message: `Server ${index + 1}: ${checked.value.url} is in the list twice.` };
    out.push(checked.value);
  }
  return { ok: true, value: out };
}

/** A port to host on: 1024–65535 (lower ones need administrator rights). */
export function checkPort(text: string): Checked<number> {
  const port = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(port) || port < 1024 || port > 65535) {
    return { ok: false, message: 'Choose a port from 1024 to 65535 (7300 unless something else uses it).' };
  }
  return { ok: true, value: port };
}

/**
 * STUN/TURN addresses, one per line: stun:, stuns:, turn: or turns: URIs (RFC 7064,
 * RFC 7065). Empty lines are ignored; the TURN secret is needed when a turn: is given.
 */
export function checkIceServers(text: string, turnSecret: string): Checked<string[]> {
  const urls = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (urls.length > 8) return { ok: false, message: 'Give at most 8 STUN/TURN addresses.' };
  for (const url of urls) {
    if (!/^(stuns?|turns?):[A-Za-z0-9.\-[\]:]+(\?transport=(udp|tcp))?$/.test(url) || url.length > 512) {
      return { ok: false, message: `“${url.slice(0, 80)}” is not a STUN or TURN address; write it like turn:turn.example.org:3478 or stun:192.168.1.5:3478.` };
    }
  }
  if (urls.some((u) => u.startsWith('turn')) && turnSecret.trim() === '') {
    return { ok: false, message: 'A TURN server needs its shared secret (the static-auth-secret in its configuration).' };
  }
  if (turnSecret.length > 256) return { ok: false, message: 'The TURN secret is longer than 256 characters.' };
  return { ok: true, value: urls };
}

/** What a join link carries. */
export interface JoinInvite {
  /** The server's origin: https://host:port (or http://… to this computer). */
  server: string;
  /** Pinned certificate fingerprint, normalised; null for a server whose certificate the system trusts. */
  fingerprint: string | null;
  /** The server's password, when the host chose to share it. */
  password: string | null;
  /** The server's name, as its host calls it (shown, never trusted). */
  name: string | null;
}

function params(invite: JoinInvite, withServer: boolean): string {
  const query = new URLSearchParams();
  if (withServer) query.set('server', invite.server);
  if (invite.fingerprint) query.set('fp', invite.fingerprint);
  if (invite.password) query.set('password', invite.password);
  if (invite.name) query.set('name', invite.name);
  return query.toString();
}

export function desktopJoinLink(invite: JoinInvite): string {
  return `parley://join?${params(invite, true)}`;
}

/** The browser link: the server's own page, with the rest after '#'. */
export function webJoinLink(invite: JoinInvite): string {
  return `${invite.server.replace(/\/+$/, '')}/#join?${params(invite, false)}`;
}

function readParams(query: URLSearchParams, server: string): Checked<JoinInvite> {
  const known = new Set(['server', 'fp', 'password', 'name']);
  for (const key of query.keys()) if (!known.has(key)) return { ok: false, message: `The link has a field Parley does not know (“${key.slice(0, 32)}”).` };
  const fpText = query.get('fp');
  const fingerprint = fpText === null ? null : normaliseFingerprint(fpText);
  if (fpText !== null && fingerprint === null) return { ok: false, message: 'The link’s certificate fingerprint is not a SHA-256 fingerprint.' };
  const password = query.get('password');
  if (password !== null && password.length > MAX_PASSWORD) return { ok: false, message: 'The link’s password is too long.' };
  const name = query.get('name');
  if (name !== null && (name.length > MAX_NAME || /\p{Cc}/u.test(name))) return { ok: false, message: 'The link’s server name is too long or has control characters.' };
  const entry = checkServerEntry({ url: server, fingerprint: fingerprint ?? '', password: password ?? '', allowPlaintext: false });
  if (!entry.ok) return entry;
  return { ok: true, value: { server: entry.value.url, fingerprint, password: password || null, name: name?.trim() || null } };
}

/** `parley://join?server=…&fp=…` → what it carries, or why it cannot be used. */
export function parseDesktopJoinLink(raw: string): Checked<JoinInvite> {
  if (!URL.canParse(raw.trim())) return { ok: false, message: 'This is not a Parley join link.' };
  const url = new URL(raw.trim());
  if (url.protocol !== 'parley:' || url.hostname.toLowerCase() !== 'join' || url.username || url.password || url.port || (url.pathname !== '' && url.pathname !== '/') || url.hash) {
    return { ok: false, message: 'This is not a Parley join link.' };
  }
  const server = url.searchParams.get('server');
  if (server === null) return { ok: false, message: 'The join link does not say which server to join.' };
  return readParams(url.searchParams, server);
}

/** The browser build's `#join?fp=…` on a page served by `origin` → what it carries, or null when the hash is not a join. */
export function parseJoinHash(hash: string, origin: string): Checked<JoinInvite> | null {
  const match = /^#?join\?(.*)$/s.exec(hash);
  if (!match) return null;
  const query = new URLSearchParams(match[1]);
  if (query.has('server')) return { ok: false, message: 'A browser join link opens the server’s own page; it cannot name another server.' };
  return readParams(query, origin);
}

/** Whatever was pasted: a parley://join link or a browser link with #join?…. */
export function parseJoinText(text: string): Checked<JoinInvite> {
  const trimmed = text.trim();
  if (/^parley:/i.test(trimmed)) return parseDesktopJoinLink(trimmed);
  if (URL.canParse(trimmed)) {
    const url = new URL(trimmed);
    const parsed = parseJoinHash(url.hash, url.origin);
    if (parsed) return parsed;
  }
  return { ok: false, message: 'Paste a parley://join link or a browser link ending in #join?…, as “Share how to join” gives them.' };
}
