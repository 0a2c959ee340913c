/**
 * Display-name validation for the first-run form and the name editor. The rules are
 * the protocol's displayNameSchema (the server applies the same ones); this module
 * only turns its verdict into a sentence a person can act on.
 */
import { LIMITS, displayNameSchema } from '../../signaling-server/protocol';

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
  return `“${char}”`;
}

export function checkDisplayName(raw: string): DisplayNameCheck {
  const parsed = displayNameSchema.safeParse(raw);
  if (parsed.success) return { ok: true, name: parsed.data };
  const normalised = raw.trim().replace(/\s+/gu, ' ');
  if (normalised.length < LIMITS.displayNameMin) {
    return { ok: false, message: 'Enter a name so people know who is calling.' };
  }
  if (normalised.length > LIMITS.displayNameMax) {
    return {
      ok: false,
      message: `Use at most ${LIMITS.displayNameMax} characters — this name has ${normalised.length}.`,
    };
  }
  const bad = disallowedCharacters(raw);
  if (bad.length > 0) {
    const list = bad.slice(0, 5).map(describeChar).join(', ');
    return {
      ok: false,
      message: `Remove ${list}: a name may hold letters, digits, spaces and . ' _ ( ) - only.`,
    };
  }
  // The protocol's own refusals (invisible fillers, no visible letter, stacked
  // accents) are already sentences about the name: said as they are, plus what to do.
  const why = parsed.error.issues[0]?.message;
  if (!why) return { ok: false, message: 'This name cannot be used. Type a name people can read.' };
  return { ok: false, message: `${why.charAt(0).toUpperCase()}${why.slice(1)}. Type a name people can read.` };
}
