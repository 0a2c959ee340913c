/**
 * Issue 13's rules for Settings → Server as the person types: each field checked
 * with a message that says what to write, before the contract's schema
 * (serverChoiceSchema) checks the whole choice again. The join links themselves
 * are the contract's (joinLink, browserJoinLink, parseJoinLink), which main reads
 * too. No React and no browser objects, so node tests run them. Messages are worded
 * in the UI's language when the check runs (issue 16.1); each refusal has a stable code.
 */
import {
  isLoopbackHost,
  normalizeFingerprint,
  serverChoiceSchema,
  settingsProblemOf,
  type HostServer,
  type JoinServer,
  type ServerChoice,
  type SettingsProblem,
} from '../../../preload/contract';
import { t } from '../../i18n';
import type en from '../../i18n/locales/en.json';
import { log } from '../../log';

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

/** Why a field was refused: a stable code (for tests and logs) and the sentence in the UI's language. */
export type ServerProblem = SettingsProblem | keyof typeof en.serverProblems;
export type Checked<T> = { ok: true; value: T } | { ok: false; code: ServerProblem; message: string };

/** A refusal of ours, worded now in the language in force. */
function refuse(code: keyof typeof en.serverProblems, vars: Record<string, string | number> = {}): { ok: false; code: ServerProblem; message: string } {
  return { ok: false, code, message: t(`serverProblems.${code}`, vars) };
}

/** A refusal the contract's rules name (settingsProblemOf), worded now in the language in force. */
export function settingsProblemText(problem: SettingsProblem, vars: Record<string, string | number> = {}): string {
  return t(`settingsProblems.${problem}`, vars);
}

function refuseContract(code: SettingsProblem, vars: Record<string, string | number> = {}): { ok: false; code: ServerProblem; message: string } {
  return { ok: false, code, message: settingsProblemText(code, vars) };
}

/**
 * Checks one server entry: an http(s) URL without credentials or path tricks, a
 * fingerprint in a form we understand, and — for plain http to another computer —
 * the person's explicit "allow plaintext for this server". Returns the entry as it
 * will be stored (URL reduced to its origin, fingerprint normalised).
 */
export function checkServerEntry(entry: ServerEntry): Checked<JoinServer> {
  const text = entry.url.trim();
  if (text === '') return refuse('urlEmpty');
  if (text.length > MAX_URL) return refuse('urlTooLong', { max: MAX_URL });
  if (!URL.canParse(text)) return refuse('urlUnparsable', { text: text.slice(0, 80) });
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse('urlScheme', { scheme: url.protocol });
  if (url.username || url.password) return refuseContract('server_url_credentials');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return refuse('urlPath', { origin: url.origin });
  const fingerprintText = entry.fingerprint.trim();
  const fingerprint = fingerprintText === '' ? '' : normalizeFingerprint(fingerprintText);
  if (fingerprint === null) return refuse('fingerprintFormat');
  const plaintext = url.protocol === 'http:';
  if (plaintext && fingerprint !== '') return refuseContract('server_fingerprint_plaintext');
  if (plaintext && !isLoopbackHost(url.hostname) && !entry.allowPlaintext) return refuseContract('server_plaintext', { host: url.host });
  if (entry.password.length > MAX_PASSWORD) return refuse('passwordTooLong', { max: MAX_PASSWORD });
  return { ok: true, value: { url: url.origin, fingerprint: fingerprint === '' ? null : fingerprint, password: entry.password, allowPlaintext: plaintext && entry.allowPlaintext } };
}

/** The list to join, in failover order: at least one, at most MAX_SERVERS, no address twice. */
export function checkServerList(entries: readonly ServerEntry[]): Checked<JoinServer[]> {
  if (entries.length === 0) return refuse('listEmpty');
  if (entries.length > MAX_SERVERS) return refuse('listTooLong', { max: MAX_SERVERS });
  const out: JoinServer[] = [];
  for (const [index, entry] of entries.entries()) {
    const checked = checkServerEntry(entry);
    if (!checked.ok) {
      if (entries.length === 1) return checked;
      return { ok: false, code: checked.code, message: t('serverProblems.inList', { n: index + 1, problem: checked.message }) };
    }
    if (out.some((e) => e.url === checked.value.url)) return refuse('twice', { n: index + 1, url: checked.value.url });
    out.push(checked.value);
  }
  return { ok: true, value: out };
}

/** A port to host on: 1024–65535 (lower ones need administrator rights). */
export function checkPort(text: string): Checked<number> {
  const port = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(port) || port < 1024 || port > 65535) return refuse('port');
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
      return refuse('iceUrl', { url: url.slice(0, 80) });
    }
  }
  const stunUrls = urls.filter((u) => /^stuns?:/.test(u));
  const turnUrls = urls.filter((u) => /^turns?:/.test(u));
  if (stunUrls.length > 8 || turnUrls.length > 8) return refuse('iceTooMany', { max: 8 });
  const secret = turnSecret.trim();
  if (turnUrls.length > 0 && secret === '') return refuseContract('turn_secret_missing');
  if (turnUrls.length === 0 && secret !== '') return refuseContract('turn_secret_unused');
  if (secret.length > 256) return refuse('turnSecretTooLong', { max: 256 });
  return { ok: true, value: { stunUrls, turnUrls, turnSecret: secret } };
}

/** The text area's lines for the STUN/TURN addresses stored. */
export function iceText(host: HostServer): string {
  return [...host.stunUrls, ...host.turnUrls].join('\n');
}

/**
 * The whole choice, by the contract's schema: what the host would refuse is refused here
 * first, in the UI's language (the contract's rules carry a code; a built-in check of the
 * schema, which the field checks above should have caught, is named by its field and logged).
 */
export function checkServerChoice(choice: ServerChoice): Checked<ServerChoice> {
  const parsed = serverChoiceSchema.safeParse(choice);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const problem = issue === undefined ? null : settingsProblemOf(issue);
  if (problem !== null) {
    const host = issue?.code === 'custom' && typeof issue.params?.host === 'string' ? issue.params.host : '';
    return refuseContract(problem, { host });
  }
  const field = issue?.path.join('.') ?? '';
  log.child('settings.server').warn(`server settings refused by the contract without a code at "${field}": ${issue?.message ?? '(no issue)'}`);
  if (issue?.path.includes('port')) return refuse('port');
  return refuse('invalid', { field });
}
