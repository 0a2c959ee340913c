/**
 * Main's writer for received files, on real files in a temp folder: names made
 * safe and kept inside the folder, nothing overwritten, bytes hashed by main and
 * only a matching file renamed into place, part files deleted on every failure, and
 * the limits (size, open downloads) enforced.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insideFolder, safeDownloadName } from '../../main/files/downloadName';
import { DownloadWriter } from '../../main/files/downloadWriter';
import { silentLogger } from './fakes';

let root = '';
let folder = '';
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-downloads-'));
  folder = join(root, 'Downloads');
  mkdirSync(folder);
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function writer(options: { maxBytes?: number; maxOpen?: number } = {}) {
  let n = 0;
  return new DownloadWriter({
    folder: () => folder,
    maxBytes: () => options.maxBytes ?? 10 * 1024 * 1024,
    logger: silentLogger,
    newId: () => `download-${String((n += 1)).padStart(8, '0')}`,
    ...(options.maxOpen ? { maxOpen: options.maxOpen } : {}),
  });
}

function content(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  return new Uint8Array(size).map((_, i) => (i * 131 + seed) & 255);
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Writes `bytes` in 16 KiB chunks, as the renderer does. */
async function save(w: DownloadWriter, name: string, bytes: Uint8Array<ArrayBuffer>, announced = sha(bytes)) {
  const { id } = await w.begin({ name, size: bytes.byteLength, sha256: announced });
  for (let at = 0; at < bytes.byteLength; at += 16 * 1024) await w.write({ id, chunk: bytes.slice(at, at + 16 * 1024) });
  return { id, result: await w.finish({ id }) };
}

describe('saving a received file', () => {
  it('writes it under its name once main’s own hash matches, and leaves no part file', async () => {
    const bytes = content(100_000);
    const { result } = await save(writer(), 'report.pdf', bytes);
    expect(result).toEqual({ ok: true, path: join(folder, 'report.pdf'), sha256: sha(bytes) });
    expect(readFileSync(join(folder, 'report.pdf')).equals(Buffer.from(bytes))).toBe(true);
    expect(readdirSync(folder)).toEqual(['report.pdf']);
  });

  it('never overwrites: a second file of the same name becomes “name (1)”', async () => {
    writeFileSync(join(folder, 'report.pdf'), 'the person’s own file');
    const { result } = await save(writer(), 'report.pdf', content(1000));
    expect(result).toMatchObject({ ok: true, path: join(folder, 'report (1).pdf') });
    expect(readFileSync(join(folder, 'report.pdf'), 'utf8')).toBe('the person’s own file');
    const again = await save(writer(), 'report.pdf', content(10));
    expect(again.result).toMatchObject({ path: join(folder, 'report (2).pdf') });
  });

  it('keeps a name that tries to leave the folder inside it', async () => {
    for (const name of ['../../.bashrc', '..\\..\\evil.exe', '/etc/passwd', '..', 'CON.txt', 'a\u202Etxt.exe']) {
      const { result } = await save(writer(), name, content(10));
      expect(result.ok).toBe(true);
      if (result.ok) expect(join(result.path, '..')).toBe(folder);
    }
    expect(readdirSync(root).sort()).toEqual(['Downloads']);
    expect(readdirSync(folder).sort()).toEqual(['_CON.txt', 'a_txt.exe', 'bashrc', 'evil.exe', 'file', 'passwd']);
  });

  it('deletes a file whose bytes do not match the announced hash, and says so', async () => {
    const { result } = await save(writer(), 'tampered.zip', content(50_000), sha(content(50_000, 2)));
    expect(result).toMatchObject({ ok: false, reason: 'checksum' });
    expect(readdirSync(folder)).toEqual([]);
  });

  it('deletes a file that arrived short, and refuses bytes beyond the announced size', async () => {
    const w = writer();
    const short = await w.begin({ name: 'short.bin', size: 1000, sha256: sha(content(1000)) });
    await w.write({ id: short.id, chunk: content(999) });
    expect(await w.finish({ id: short.id })).toMatchObject({ ok: false, reason: 'size' });

    const long = await w.begin({ name: 'long.bin', size: 10, sha256: sha(content(10)) });
    await expect(w.write({ id: long.id, chunk: content(11) })).rejects.toThrow(/more bytes than it announced/);
    await expect(w.write({ id: long.id, chunk: content(1) })).rejects.toThrow(/No download/);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('an aborted download leaves nothing behind', async () => {
    const w = writer();
    const { id } = await w.begin({ name: 'half.bin', size: 100_000, sha256: sha(content(100_000)) });
    await w.write({ id, chunk: content(16_384) });
    expect(readdirSync(folder)).toHaveLength(1); // the part file
    await w.abort({ id });
    expect(readdirSync(folder)).toEqual([]);
    expect(w.openCount).toBe(0);
  });

  it('refuses a file over the size limit and more open downloads than allowed', async () => {
    const w = writer({ maxBytes: 1000, maxOpen: 2 });
    await expect(w.begin({ name: 'big.bin', size: 1001, sha256: sha(content(1)) })).rejects.toThrow(/larger than your limit/);
    await w.begin({ name: 'a.bin', size: 10, sha256: sha(content(10)) });
    await w.begin({ name: 'b.bin', size: 10, sha256: sha(content(10)) });
    await expect(w.begin({ name: 'c.bin', size: 10, sha256: sha(content(10)) })).rejects.toThrow(/already saving 2 files/);
    await w.abortAll();
    expect(readdirSync(folder)).toEqual([]);
  });

  it('says what to do when the chosen folder is gone', async () => {
    rmSync(folder, { recursive: true });
    await expect(writer().begin({ name: 'x.bin', size: 1, sha256: sha(content(1)) })).rejects.toThrow(
      /is missing\. Choose another in Settings → Files/,
    );
  });

  it('remembers where a finished file went, for “Show in folder”', async () => {
    const w = writer();
    const { id } = await save(w, 'shown.txt', content(5));
    expect(w.pathOf(id)).toBe(join(folder, 'shown.txt'));
    expect(w.pathOf('download-unknown')).toBeNull();
  });
});

describe('download names', () => {
  it('are one plain name: no folders, no hidden files, no device names, no bidi tricks, not too long', () => {
    expect(safeDownloadName('../../etc/passwd')).toBe('passwd');
    expect(safeDownloadName('C:\\Users\\me\\evil.exe')).toBe('evil.exe');
    expect(safeDownloadName('.bashrc')).toBe('bashrc');
    expect(safeDownloadName('nul')).toBe('_nul');
    expect(safeDownloadName('COM1.tar.gz')).toBe('_COM1.tar.gz');
    expect(safeDownloadName('report\u202Efdp.exe')).toBe('report_fdp.exe');
    expect(safeDownloadName('a:b*c?.txt')).toBe('a_b_c_.txt');
    expect(safeDownloadName(' .. ')).toBe('file');
    const long = safeDownloadName(`${'é'.repeat(300)}.pdf`);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(200);
    expect(long.endsWith('.pdf')).toBe(true);
  });

  it('a path must resolve to a direct child of the folder', () => {
    expect(insideFolder('/home/ada/Downloads', 'a.txt')).toBe('/home/ada/Downloads/a.txt');
    expect(insideFolder('/home/ada/Downloads', '../a.txt')).toBeNull();
    expect(insideFolder('/home/ada/Downloads', 'sub/a.txt')).toBeNull();
    expect(insideFolder('/home/ada/Downloads', '/etc/passwd')).toBeNull();
    expect(insideFolder('/home/ada/Downloads', '..')).toBeNull();
  });
});
