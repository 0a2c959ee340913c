/**
 * The safety number screen's logic: the number of two users (identity.ts's
 * safetyNumber over my user key and the contact's pinned one), laid out for
 * reading aloud, carried in a QR code, and compared with what the other person
 * reads out or shows.
 */
import { safetyNumber, type PublicKey } from '../../signaling-server/identity';

export const SAFETY_GROUPS = 12;
export const SAFETY_DIGITS = SAFETY_GROUPS * 5;
const QR_PREFIX = 'parley-safety/1:';

export interface SafetyNumber {
  /** Twelve groups of five digits. */
  groups: string[];
  /** The groups in three rows of four, as the screen shows them. */
  rows: string[][];
  /** What the QR code on screen carries. */
  qrText: string;
}

export async function safetyNumberOf(myKey: PublicKey, theirKey: PublicKey): Promise<SafetyNumber> {
  const text = await safetyNumber(myKey, theirKey);
  const groups = text.split(' ');
  if (groups.length !== SAFETY_GROUPS || !groups.every((g) => /^\d{5}$/.test(g))) {
    throw new Error(`a safety number is ${SAFETY_GROUPS} groups of five digits, not "${text}"`);
  }
  return {
    groups,
    rows: [groups.slice(0, 4), groups.slice(4, 8), groups.slice(8, 12)],
    qrText: QR_PREFIX + groups.join(''),
  };
}

export type SafetyComparison = 'match' | 'mismatch' | 'incomplete';

/**
 * What the other person read out, typed, or the text of their QR code, against
 * mine: spaces and other separators are ignored; fewer than 60 digits is not yet
 * a comparison.
 */
export function compareSafetyNumber(mine: SafetyNumber, theirs: string): SafetyComparison {
  const text = theirs.trim().startsWith(QR_PREFIX) ? theirs.trim().slice(QR_PREFIX.length) : theirs;
  const digits = text.replace(/\D/g, '');
  if (digits.length < SAFETY_DIGITS) return 'incomplete';
  return digits === mine.groups.join('') ? 'match' : 'mismatch';
}
