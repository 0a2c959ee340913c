/**
 * Display-name validation for the first-run form and the name editor. The rules are
 * the protocol's displayNameSchema (the server applies the same ones); this module
 * only turns its verdict into a sentence a person can act on.
 */
import { LIMITS, displayNameSchema } from '../../signaling-server/protocol';
import { t } from '../i18n';
import { log } from '../log';

export type DisplayNameCheck = { ok: true; name: string } | { ok: false; message: string };

const ALLOWED = /^[\p{L}\p{M}\p{N} .'_()-]$/u;

/** Characters the schema refuses, each once, in the order typed. */
export function disallowedCharacters(raw: string): string[] {
  const seen = new Set<string>();
  for (const char of raw.trim().replace(/\s+/gu, ' ')) {
    if (!ALLOWED.test(char)) seen.add(char);
  }
  return [...seen];
}

function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  // Control, format and bidi characters are invisible: name them by code point.
  if (/[\p{C}\p{Z}]/u.test(char)) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return t('displayName.character', { char });
}

/**
 * The protocol's own refusals (displayNameSchema's refinements) by a stable piece of
 * their English text, so each is said in the language now in force. A refusal not
 * listed here gets the general sentence; test/unit/state/displayName.test.ts makes
 * every refusal the schema has today land on its own key.
 */
const PROTOCOL_REFUSALS: readonly [string, 'displayName.invisible' | 'displayName.noVisible' | 'displayName.accents'][] = [
  ['invisible characters', 'displayName.invisible'],
  ['at least one visible letter or digit', 'displayName.noVisible'],
  ['accents on one character', 'displayName.accents'],
];

/** Why the schema refused a name that passed the length and character checks: its locale key. */
export function protocolRefusalKey(why: string | undefined): (typeof PROTOCOL_REFUSALS)[number][1] | 'displayName.unusable' {
  if (why === undefined) return 'displayName.unusable';
  return PROTOCOL_REFUSALS.find(([piece]) => why.includes(piece))?.[1] ?? 'displayName.unusable';
}

/** How many accents one character may carry (the protocol's MAX_MARKS_PER_CHARACTER, read from its refusal). */
function marksAllowed(why: string): number {
  return Number(/more than (\d+)/.exec(why)?.[1] ?? 3);
}

/** Checks a name as typed; a refusal is a sentence in the language now in force (call at render time). */
export function checkDisplayName(raw: string): DisplayNameCheck {
  const parsed = displayNameSchema.safeParse(raw);
  if (parsed.success) return { ok: true, name: parsed.data };
  const normalised = raw.trim().replace(/\s+/gu, ' ');
  if (normalised.length < LIMITS.displayNameMin) return { ok: false, message: t('displayName.empty') };
  if (normalised.length > LIMITS.displayNameMax) {
    return { ok: false, message: t('displayName.tooLong', { max: LIMITS.displayNameMax, count: normalised.length }) };
  }
  const bad = disallowedCharacters(raw);
  if (bad.length > 0) {
    return { ok: false, message: t('displayName.characters', { list: bad.slice(0, 5).map(describeChar).join(', ') }) };
  }
  // The protocol's own refusals (invisible fillers, no visible letter, stacked accents).
  const why = parsed.error.issues[0]?.message;
  const key = protocolRefusalKey(why);
  if (key === 'displayName.unusable') {
    log.child('displayName').warn(`a display-name refusal without its own wording: ${why ?? '(no message)'}`);
  }
  return { ok: false, message: key === 'displayName.accents' ? t(key, { max: marksAllowed(why ?? '') }) : t(key) };
}
