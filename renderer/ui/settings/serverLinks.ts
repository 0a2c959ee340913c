/**
 * Issue 13's rules for Settings → Server as the person types: each field checked
 * with a message that says what to write, before the contract's schema
 * (serverChoiceSchema) checks the whole choice again. The join links themselves
 * are the contract's (joinLink, browserJoinLink, parseJoinLink), which main reads
 * too. No React and no browser objects, so node tests run them.
 */
import {
  PLAINTEXT_EXPLANATION,
  isLoopbackHost,
  normalizeFingerprint,
  serverChoiceSchema,
  type HostServer,
  type JoinServer,
  type ServerChoice,
} from '../../../preload/contract';

const MAX_URL = 2048;
const MAX_PASSWORD = 256;
export const MAX_SERVERS = 8;

/** The address a person compares, in 8 groups of 4 pairs so it fits a line and is read in pieces. */
export function groupedFingerprint(fingerprint: string): string {
  const pairs = fingerprint.split(':');
  const groups: string[] = [];
  for (let i = 0; i < pairs.length; i += 4) groups.push(pairs.slice(i, i + 4).join(':'));
  return groups.join(' ');
}

/** One server to join, as Settings → Server edits it (text fields; the fingerprint may be empty). */
export interface ServerEntry {
  url: string;
  /** The certificate's fingerprint to pin (empty: the certificate must be trusted by the system). */
  fingerprint: string;
  password: string;
  /** The person allowed plain http/ws for this one server, knowing the password and calls' signaling can be read. */
  allowPlaintext: boolean;
}

export function entryOf(server: JoinServer): ServerEntry {
  return { ...server, fingerprint: server.fingerprint ?? '' };
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Checks one server entry: an http(s) URL without credentials or path tricks, a
 * fingerprint in a form we understand, and — for plain http to another computer —
 * the person's explicit "allow plaintext for this server". Returns the entry as it
 * will be stored (URL reduced to its origin, fingerprint normalised).
 */
export function checkServerEntry(entry: ServerEntry): Checked<JoinServer> {
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
  const fingerprint = fingerprintText === '' ? '' : normalizeFingerprint(fingerprintText);
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
    return { ok: false, message: `${url.host}: ${PLAINTEXT_EXPLANATION}` };
  }
  if (entry.password.length > MAX_PASSWORD) return { ok: false, message: `The password is longer than ${MAX_PASSWORD} characters.` };
  return { ok: true, value: { url: url.origin, fingerprint: fingerprint === '' ? null : fingerprint, password: entry.password, allowPlaintext: plaintext && entry.allowPlaintext } };
}

/** The list to join, in failover order: at least one, at most MAX_SERVERS, no address twice. */
export function checkServerList(entries: readonly ServerEntry[]): Checked<JoinServer[]> {
  if (entries.length === 0) return { ok: false, message: 'Add the address of at least one server to join.' };
  if (entries.length > MAX_SERVERS) return { ok: false, message: `Parley tries at most ${MAX_SERVERS} servers; remove some.` };
  const out: JoinServer[] = [];
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
export function checkIceServers(text: string, turnSecret: string): Checked<Pick<HostServer, 'stunUrls' | 'turnUrls' | 'turnSecret'>> {
  const urls = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  for (const url of urls) {
    if (!/^(stuns?|turns?):[A-Za-z0-9.\-[\]:]+(\?transport=(udp|tcp))?$/.test(url) || url.length > 512) {
      return { ok: false, message: `“${url.slice(0, 80)}” is not a STUN or TURN address; write it like turn:turn.example.org:3478 or stun:192.168.1.5:3478.` };
    }
  }
  const stunUrls = urls.filter((u) => /^stuns?:/.test(u));
  const turnUrls = urls.filter((u) => /^turns?:/.test(u));
  if (stunUrls.length > 8 || turnUrls.length > 8) return { ok: false, message: 'Give at most 8 STUN and 8 TURN addresses.' };
  const secret = turnSecret.trim();
  if (turnUrls.length > 0 && secret === '') {
    return { ok: false, message: 'A TURN server needs its shared secret (the static-auth-secret in its configuration).' };
  }
  if (turnUrls.length === 0 && secret !== '') return { ok: false, message: 'A TURN secret needs at least one turn: address above it.' };
  if (secret.length > 256) return { ok: false, message: 'The TURN secret is longer than 256 characters.' };
  return { ok: true, value: { stunUrls, turnUrls, turnSecret: secret } };
}

/** The text area's lines for the STUN/TURN addresses stored. */
export function iceText(host: HostServer): string {
  return [...host.stunUrls, ...host.turnUrls].join('\n');
}

/** The whole choice, by the contract's schema: what the host would refuse is refused here first, in its words. */
export function checkServerChoice(choice: ServerChoice): Checked<ServerChoice> {
  const parsed = serverChoiceSchema.safeParse(choice);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const message = issue?.message ?? 'these server settings are not valid';
  return { ok: false, message: message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? '' : '.') };
}
