/**
 * File transfer's pure core: chunking, backpressure, reassembly with the SHA-256
 * check, cancel from either side, the size limit, and a lost channel — run between
 * two real FileLinks joined by a fake channel pair, with real WebCrypto hashes.
 */
import { describe, expect, it } from 'vitest';
import { MemorySink } from '../../../renderer/call/fileSink';
import {
  CHUNK_BYTES,
  chunkRanges,
  formatBytes,
  HIGH_WATER_BYTES,
  parseFileMessage,
  sanitizeFileName,
  sha256Hex,
} from '../../../renderer/call/fileTransferProtocol';
import { i18n } from '../../../renderer/i18n';
import { FileAssembly } from '../../../renderer/call/fileTransferReceive';
import { pumpChunks } from '../../../renderer/call/fileTransferSend';
import { waitFor } from '../fakes/waitFor';
import { channelPair } from './fakeDataChannel';
import { bytesOf, linkedPair, outgoing, receivedBytes } from './fileTransferHarness';

describe('chunking', () => {
  it('cuts a file into 16 KiB ranges that cover every byte once, the last one short', () => {
    const size = 5 * CHUNK_BYTES + 123;
    const ranges = chunkRanges(size);
    expect(ranges).toHaveLength(6);
    expect(ranges[0]).toEqual({ start: 0, end: CHUNK_BYTES });
    expect(ranges.at(-1)).toEqual({ start: 5 * CHUNK_BYTES, end: size });
    expect(ranges.every((r, i) => i === 0 || r.start === ranges[i - 1]?.end)).toBe(true);
  });

  it('has no chunk at all for an empty file', () => {
    expect(chunkRanges(0)).toEqual([]);
  });
});

describe('backpressure', () => {
  it('never lets more than the high-water mark pile up in the channel, and waits for bufferedamountlow to go on', async () => {
    const [channel] = channelPair(64 * 1024);
    const bytes = bytesOf(4 * 1024 * 1024);
    const outcome = await pumpChunks(bytes, channel, { signal: new AbortController().signal });
    expect(outcome).toBe('sent');
    expect(channel.chunksSent).toBe(256);
    // The pump sends only while at or below the mark: one chunk may take it above.
    expect(channel.maxBuffered).toBeLessThanOrEqual(HIGH_WATER_BYTES + CHUNK_BYTES);
    expect(channel.lowEvents).toBeGreaterThan(0);
  });

  it('stops at once when cancelled while it waits for the channel to drain', async () => {
    const [channel] = channelPair(1); // a link that barely moves
    const abort = new AbortController();
    const pumping = pumpChunks(bytesOf(4 * 1024 * 1024), channel, { signal: abort.signal });
    await waitFor(() => channel.bufferedAmount > HIGH_WATER_BYTES, 'the channel is full');
    const sentBefore = channel.chunksSent;
    abort.abort();
    expect(await pumping).toBe('cancelled');
    expect(channel.chunksSent).toBe(sentBefore);
  });

  it('reports a closed channel instead of sending into it', async () => {
    const [channel] = channelPair(1);
    const pumping = pumpChunks(bytesOf(4 * 1024 * 1024), channel, { signal: new AbortController().signal });
    await waitFor(() => channel.bufferedAmount > HIGH_WATER_BYTES, 'the channel is full');
    channel.close();
    expect(await pumping).toBe('closed');
  });
});

describe('reassembly', () => {
  it('joins chunks back into the file when the hash matches', async () => {
    const bytes = bytesOf(50_000);
    const assembly = new FileAssembly(bytes.byteLength, new MemorySink(await sha256Hex(bytes)));
    for (const { start, end } of chunkRanges(bytes.byteLength)) expect(assembly.add(bytes.slice(start, end).buffer)).toBe('ok');
    const result = await assembly.finish();
    expect(result.ok && result.file.kind === 'memory' && [...new Uint8Array(await result.file.blob.arrayBuffer())]).toEqual([...bytes]);
  });

  it('refuses bytes beyond the announced size, and a file that is short or altered', async () => {
    const bytes = bytesOf(1000);
    const hash = await sha256Hex(bytes);
    const sink = () => new MemorySink(hash);
    const over = new FileAssembly(1000, sink());
    expect(over.add(new ArrayBuffer(600))).toBe('ok');
    expect(over.add(new ArrayBuffer(600))).toBe('overflow');
    expect(new FileAssembly(10 ** 9, sink()).add(new ArrayBuffer(128 * 1024))).toBe('oversized_chunk');

    const short = new FileAssembly(1000, sink());
    short.add(bytes.slice(0, 999).buffer);
    expect(await short.finish()).toMatchObject({ ok: false, reason: 'incomplete' });

    const altered = bytes.slice();
    altered[500] = (altered[500] ?? 0) ^ 0xff;
    const damaged = new FileAssembly(1000, sink());
    damaged.add(altered.buffer);
    expect(await damaged.finish()).toMatchObject({ ok: false, reason: 'checksum' });
  });
});

describe('a transfer between two links', () => {
  it('delivers a file intact, with its hash verified on arrival and confirmed to the sender', async () => {
    const { alice, seen } = linkedPair();
    const file = await outgoing('transfer-one-0001', 3 * 1024 * 1024 + 17);
    alice.send(file);
    await waitFor(() => seen.alice.get(file.id)?.status === 'done', 'Alice sees it delivered');
    const received = seen.bob.get(file.id);
    expect(received).toMatchObject({ direction: 'in', status: 'done', name: 'report.pdf', size: file.bytes.byteLength });
    const bytes = await receivedBytes(received);
    expect(bytes && (await sha256Hex(bytes))).toBe(file.sha256);
    expect(seen.alice.get(file.id)).toMatchObject({ direction: 'out', bytes: file.bytes.byteLength, problem: null });
  });

  it('shows progress on both sides as the bytes move', async () => {
    const { alice, history } = linkedPair({ bytesPerTick: 128 * 1024 });
    const file = await outgoing('transfer-prog-0001', 2 * 1024 * 1024);
    alice.send(file);
    await waitFor(() => history.some((h) => h.side === 'bob' && h.transfer.status === 'done'), 'Bob has it');
    for (const side of ['alice', 'bob'] as const) {
      const steps = history.filter((h) => h.side === side && (h.transfer.status === 'sending' || h.transfer.status === 'receiving'));
      const partial = steps.filter((h) => h.transfer.bytes > 0 && h.transfer.bytes < file.bytes.byteLength);
      expect(partial.length, `${side} saw partial progress`).toBeGreaterThan(1);
    }
  });

  it('discards a file damaged in transit, says so on both sides, and never hands it out', async () => {
    const { alice, aliceChannel, seen } = linkedPair();
    let flipped = false;
    aliceChannel.intercept = (data) => {
      if (typeof data === 'string' || flipped) return data;
      flipped = true;
      const copy = new Uint8Array(data.slice(0));
      copy[10] = (copy[10] ?? 0) ^ 1;
      return copy.buffer;
    };
    const file = await outgoing('transfer-bad-00001', 100_000);
    alice.send(file);
    await waitFor(() => seen.alice.get(file.id)?.status === 'failed', 'Alice learns the copy failed');
    expect(seen.bob.get(file.id)).toMatchObject({ status: 'failed', problem: { kind: 'checksum' }, file: null });
    expect(seen.alice.get(file.id)?.problem).toEqual({ kind: 'checksum' });
  });

  it('lets the receiver cancel mid-way: both sides stop, and the next file still goes through', async () => {
    const { alice, bob, seen } = linkedPair({ bytesPerTick: 32 * 1024 });
    const big = await outgoing('transfer-big-00001', 8 * 1024 * 1024);
    const next = await outgoing('transfer-next-0001', 40_000, 'notes.txt');
    alice.send(big);
    alice.send(next);
    await waitFor(() => (seen.bob.get(big.id)?.bytes ?? 0) > 0, 'Bob receives the first bytes');
    bob.cancel(big.id);
    expect(seen.bob.get(big.id)).toMatchObject({ status: 'cancelled', problem: { kind: 'cancelled', by: 'me' } });
    await waitFor(() => seen.alice.get(big.id)?.status === 'cancelled', 'Alice hears of the cancel');
    expect(seen.alice.get(big.id)?.problem).toEqual({ kind: 'cancelled', by: 'peer' });
    await waitFor(() => seen.bob.get(next.id)?.status === 'done', 'the next file arrives');
    expect(seen.bob.get(next.id)?.size).toBe(40_000);
  });

  it('lets the sender cancel mid-way: the receiver drops what it has', async () => {
    const { alice, seen } = linkedPair({ bytesPerTick: 32 * 1024 });
    const big = await outgoing('transfer-big-00002', 8 * 1024 * 1024);
    alice.send(big);
    await waitFor(() => (seen.bob.get(big.id)?.bytes ?? 0) > 0, 'Bob receives the first bytes');
    alice.cancel(big.id);
    await waitFor(() => seen.bob.get(big.id)?.status === 'cancelled', 'Bob hears of the cancel');
    expect(seen.bob.get(big.id)).toMatchObject({ problem: { kind: 'cancelled', by: 'peer' }, file: null });
    expect(seen.alice.get(big.id)).toMatchObject({ status: 'cancelled', problem: { kind: 'cancelled', by: 'me' } });
  });

  it('refuses a file over the receiver’s limit, telling both sides the limit, without sending a chunk', async () => {
    const { alice, aliceChannel, seen } = linkedPair({ maxFileBytes: 64 * 1024 });
    const file = await outgoing('transfer-huge-0001', 200 * 1024);
    alice.send(file);
    await waitFor(() => seen.alice.get(file.id)?.status === 'rejected', 'Alice is refused');
    expect(seen.alice.get(file.id)?.problem).toEqual({ kind: 'too_large', limit: 64 * 1024 });
    expect(seen.bob.get(file.id)).toMatchObject({ status: 'rejected', problem: { kind: 'too_large', limit: 64 * 1024 } });
    expect(aliceChannel.chunksSent).toBe(0);
  });

  it('fails every transfer still moving when the channel closes', async () => {
    const { alice, aliceChannel, seen } = linkedPair({ bytesPerTick: 16 * 1024 });
    const file = await outgoing('transfer-lost-0001', 4 * 1024 * 1024);
    const queued = await outgoing('transfer-lost-0002', 1000);
    alice.send(file);
    alice.send(queued);
    await waitFor(() => (seen.bob.get(file.id)?.bytes ?? 0) > 0, 'bytes are moving');
    aliceChannel.close();
    alice.close();
    await waitFor(() => seen.alice.get(file.id)?.status === 'failed', 'Alice’s transfer fails');
    expect(seen.alice.get(file.id)?.problem).toEqual({ kind: 'connection' });
    expect(seen.alice.get(queued.id)?.status).toBe('failed');
  });

  it('sends an empty file', async () => {
    const { alice, seen } = linkedPair();
    const file = await outgoing('transfer-empty-001', 0, 'empty.txt');
    alice.send(file);
    await waitFor(() => seen.alice.get(file.id)?.status === 'done', 'delivered');
    expect((await receivedBytes(seen.bob.get(file.id)))?.byteLength).toBe(0);
  });

  it('ignores chunks nobody accepted and control messages that fail the schema', async () => {
    const { bob, seen } = linkedPair();
    bob.receive(new ArrayBuffer(100));
    bob.receive('{"type":"offer","id":"x"}');
    bob.receive('not json');
    bob.receive(JSON.stringify({ type: 'offer', id: 'transfer-evil-0001', name: 'a', size: -1, mime: '', sha256: '0'.repeat(64) }));
    expect(seen.bob.size).toBe(0);
  });
});

describe('protocol helpers', () => {
  it('parses only well-formed control messages', () => {
    expect(parseFileMessage(JSON.stringify({ type: 'cancel', id: 'transfer-0001' }))).toEqual({ type: 'cancel', id: 'transfer-0001' });
    expect(parseFileMessage(JSON.stringify({ type: 'cancel', id: 'transfer-0001', extra: 1 }))).toBeNull();
    expect(parseFileMessage(JSON.stringify({ type: 'offer', id: 'transfer-0001', name: 'a', size: 1, mime: '', sha256: 'XYZ' }))).toBeNull();
  });

  it('makes received names safe to save: no path, no reserved characters or names, no hidden files', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\Users\\me\\evil.exe')).toBe('evil.exe');
    expect(sanitizeFileName('a<b>c:d"e|f?g*h.txt')).toBe('a_b_c_d_e_f_g_h.txt');
    expect(sanitizeFileName('.bashrc')).toBe('bashrc');
    expect(sanitizeFileName('CON.txt')).toBe('_CON.txt');
    expect(sanitizeFileName('report\u202Efdp.exe')).toBe('report_fdp.exe');
    expect(sanitizeFileName('   ')).toBe('file');
    const long = sanitizeFileName(`${'x'.repeat(300)}.tar.gz`);
    expect(long).toHaveLength(120);
    expect(long.endsWith('.gz')).toBe(true);
  });

  it('writes sizes as people read them', () => {
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1023)).toBe('1023 bytes');
    expect(formatBytes(5_242_880)).toBe('5 MB');
    expect(formatBytes(1_500_000)).toBe('1.4 MB');
    expect(formatBytes(100 * 1024 * 1024)).toBe('100 MB');
  });

  it('writes sizes in Russian with a Russian decimal comma and plural (issue 16.1)', async () => {
    await i18n.changeLanguage('ru');
    try {
      expect(formatBytes(1)).toBe('1 байт');
      expect(formatBytes(3)).toBe('3 байта');
      expect(formatBytes(5)).toBe('5 байт');
      expect(formatBytes(1023)).toBe('1023 байта');
      expect(formatBytes(1_500_000)).toBe('1,4 МБ');
      expect(formatBytes(2048)).toBe('2 КБ');
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});
