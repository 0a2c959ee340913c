/**
 * File names for received files, decided in main: the renderer passes on what a
 * peer sent, and main trusts neither. A name becomes one plain file name (no
 * folders, no `..`, no device names, nothing a file system refuses, no bidi tricks
 * that disguise the extension), and its final path must stay inside the chosen
 * folder. Pure, except `insideFolder`'s path arithmetic.
 */
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f<>:"/\\|?*\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/** Windows device names, with or without an extension (CON, NUL.txt, COM1.tar.gz…). */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;
/** Most file systems allow 255 bytes in a name; leave room for " (999)" and the part suffix. */
const MAX_NAME_BYTES = 200;
const MAX_NAME_CHARS = 120;

function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  return dot > 0 && name.length - dot <= 16 ? { stem: name.slice(0, dot), ext: name.slice(dot) } : { stem: name, ext: '' };
}

/** `name` cut to at most `maxChars` characters and MAX_NAME_BYTES UTF-8 bytes, the extension kept. */
function capLength(name: string): string {
  const { stem, ext } = splitExtension(name);
  let cut = [...stem].slice(0, Math.max(1, MAX_NAME_CHARS - ext.length));
  while (cut.length > 1 && Buffer.byteLength(cut.join('') + ext) > MAX_NAME_BYTES) cut = cut.slice(0, -1);
  return cut.join('') + ext;
}

/** One safe file name from whatever a peer called its file; "file" when nothing is left. */
export function safeDownloadName(raw: string): string {
  const last = raw.split(/[/\\]/).pop() ?? '';
  let clean = last
    .normalize('NFC')
    .replace(UNSAFE, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (RESERVED.test(clean)) clean = `_${clean}`;
  clean = capLength(clean);
  return clean === '' || clean === '_' ? 'file' : clean;
}

/** "report.pdf", "report (1).pdf", "report (2).pdf", … */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const { stem, ext } = splitExtension(name);
  return `${stem} (${n})${ext}`;
}

/**
 * The absolute path of `name` in `folder`, or null when it would not be a direct
 * child of the folder (a separator, `..`, an absolute name): resolve, then check
 * the relative path, as the last line of defence after safeDownloadName.
 */
export function insideFolder(folder: string, name: string): string | null {
  const root = resolve(folder);
  const full = resolve(root, name);
  const rel = relative(root, full);
  if (rel === '' || isAbsolute(rel) || rel.startsWith('..') || rel.includes(sep) || rel.includes('/') || basename(full) !== name) {
    return null;
  }
  return full;
}
