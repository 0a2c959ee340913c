/**
 * The file-transfer protocol on a call's negotiated 'files' data channel: the
 * control messages (JSON text) and their schemas, the sizes, and the helpers both
 * ends use. Chunks travel as binary messages in between, in order (the channel is
 * ordered and reliable), so a chunk belongs to the transfer that was accepted last.
 *
 *   sender                               receiver
 *   offer {id,name,size,mime,sha256} ─▶  over a limit? ─▶ reject(too_large | no_room) at once
 *                                        otherwise the person is asked (name, size, sender):
 *                           ◀── accept   Accept
 *                           ◀── reject(declined)   Decline
 *                           ◀── reject(expired)    no answer within OFFER_TTL_MS
 *   chunk, chunk, … (binary, 16 KiB)  ─▶  counted, hashed, kept (memory or disk)
 *   end {id}                          ─▶  size and SHA-256 checked ─▶ result {ok}
 *   cancel {id}  ◀──────── either side, any time ────────▶ cancel {id}
 *
 * Nothing but the offer crosses before Accept: chunks for a transfer that is not
 * accepted are dropped. Everything that arrives is outside input: text is parsed by
 * `fileMessageSchema`, binary is checked against what the accepted offer announced.
 */
import { z } from 'zod';
import { formatNumber, t } from '../i18n';
import { log } from '../log';

/**
 * 16 KiB: the largest message every WebRTC stack delivers unfragmented
 * (RFC 8831 §6.6 recommends staying below that for interoperability).
 */
export const CHUNK_BYTES = 16 * 1024;
/** Above this much queued in the channel the sender pauses… */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** …and it resumes when the channel's 'bufferedamountlow' says it drained to this. */
export const LOW_WATER_BYTES = 256 * 1024;
/** Binary messages larger than this are refused, whoever sent them. */
export const MAX_CHUNK_BYTES = 64 * 1024;
/** Progress is reported every this many bytes (and at the end), not per chunk. */
export const PROGRESS_STEP_BYTES = 256 * 1024;
/** An offer nobody answers expires on the receiving side after this long… */
export const OFFER_TTL_MS = 2 * 60_000;
/** …and the sender gives up a little later, in case the receiver's "expired" was lost with its connection. */
export const OFFER_SENDER_GRACE_MS = 15_000;
/**
 * What one call may hold in this window's memory (files received and being
 * received), unless the size limit is set higher: then one file of the limit's size
 * still fits.
 */
export const CALL_MEMORY_BYTES = 256 * 1024 * 1024;

export function callMemoryCap(maxFileBytes: number): number {
  return Math.max(CALL_MEMORY_BYTES, maxFileBytes);
}

const idSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

export const fileMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('offer'),
    id: idSchema,
    name: z.string().min(1).max(255),
    size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    mime: z.string().max(255),
    /** Lower-case hex SHA-256 of the whole file. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  z.strictObject({ type: z.literal('accept'), id: idSchema }),
  z.strictObject({
    type: z.literal('reject'),
    id: idSchema,
    /**
     * too_large: over the receiver's size limit; no_room: the receiver's call holds
     * too much already; busy: an offer was already pending; declined: the person
     * said no; expired: nobody answered in time; failed: the receiver could not
     * store it (no download folder, disk full).
     */
    reason: z.enum(['too_large', 'busy', 'declined', 'expired', 'no_room', 'failed']),
    /** The receiver's size limit in bytes (too_large), or its call's memory cap (no_room). */
    limit: z.number().int().nonnegative().optional(),
  }),
  z.strictObject({ type: z.literal('end'), id: idSchema }),
  z.strictObject({ type: z.literal('cancel'), id: idSchema }),
  z.strictObject({ type: z.literal('result'), id: idSchema, ok: z.boolean() }),
]);
export type FileMessage = z.infer<typeof fileMessageSchema>;

/** A text message parsed, or null when it is not one of ours (dropped). */
export function parseFileMessage(text: string): FileMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // A peer's bug or an older version, not ours to fix: the message is dropped.
    log.child('call.files').debug(`dropped a file-channel message that is not JSON (${text.length} characters)`, error);
    return null;
  }
  const parsed = fileMessageSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export function encodeFileMessage(message: FileMessage): string {
  return JSON.stringify(message);
}

/** [start, end) byte ranges of CHUNK_BYTES covering `size` bytes; none for an empty file. */
export function chunkRanges(size: number, chunkBytes = CHUNK_BYTES): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  for (let start = 0; start < size; start += chunkBytes) ranges.push({ start, end: Math.min(size, start + chunkBytes) });
  return ranges;
}

export function toHex(digest: ArrayBuffer): string {
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 (hex) with WebCrypto: crypto.subtle exists in every secure context and in Node. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', bytes));
}

/** Characters no file system takes in a name (Windows is the strictest), and controls. */
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME = /[\u0000-\u001f\u007f<>:"/\\|?*\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const RESERVED_WINDOWS = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * A name that is safe to offer for saving: no path (a sender must not choose the
 * folder), no characters a file system refuses, no bidi overrides that disguise
 * the extension, no leading dots (hidden files), no Windows device names, at most
 * 120 characters with the extension kept.
 */
export function sanitizeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  let clean = base.replace(UNSAFE_NAME, '_').replace(/\s+/g, ' ').trim().replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (RESERVED_WINDOWS.test(clean)) clean = `_${clean}`;
  if (clean.length > 120) {
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : '';
    clean = clean.slice(0, 120 - ext.length) + ext;
  }
  return clean || 'file';
}

/**
 * 5 MB, 840 KB, 12 bytes: sizes as people read them, in units of 1024 as file
 * managers on Windows and in the settings' limit (100 MB = 100 × 1024 × 1024 bytes).
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return t('fileSize.bytes', { count: bytes });
  const units = ['KB', 'MB', 'GB', 'TB'] as const;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // In the language now in force: "1.4 MB" / "1,4 МБ".
  const shown = formatNumber(value, { maximumFractionDigits: value >= 100 ? 0 : 1, useGrouping: false });
  return t(`fileSize.${units[unit] ?? 'TB'}`, { value: shown });
}
