/**
 * File transfer loads with the first call's file channel, not at start
 * (renderer/call/lazyFileTransfers.ts, issue 16.8). Real FileTransfers on both sides
 * over fake channel pairs: a receiver whose module is still loading gets the channel
 * and the offer in the order they came, and the file arrives intact; a load that
 * fails is logged, a file sent then fails with a sentence that says so, and the next
 * try loads it with the channel that waited.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FileTransfers, type FileTransfersOptions } from '../../../renderer/call/fileTransfers';
import { LazyFileTransfers, type FileTransfersModule } from '../../../renderer/call/lazyFileTransfers';
import { t } from '../../../renderer/i18n';
import { setLogSink } from '../../../renderer/log';
import type { LogEntry } from '../../../preload/contract';
import { waitFor } from '../fakes/waitFor';
import type { DataChannelLike } from '../../../renderer/call/dataChannel';
import { channelPair, type FakeDataChannel } from './fakeDataChannel';

// The fake is an EventTarget, whose listener type is wider than DataChannelLike's event map.
const asChannel = (channel: FakeDataChannel): DataChannelLike => channel as unknown as DataChannelLike;

let ids = 0;
const options = (name: string, onChange: () => void = () => undefined): FileTransfersOptions => ({
  maxFileBytes: () => 10 * 1024 * 1024,
  peerName: () => name,
  newId: () => `transfer-${String((ids += 1)).padStart(6, '0')}`,
  onChange,
});

const file = (name: string, bytes: Uint8Array) => ({
  name,
  size: bytes.byteLength,
  type: 'application/octet-stream',
  arrayBuffer: async () => bytes.slice().buffer,
});

/** A module load the test releases or fails. */
function gate() {
  let release: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  let calls = 0;
  const load = (): Promise<FileTransfersModule> => {
    calls += 1;
    return new Promise<FileTransfersModule>((resolve, reject) => {
      release = () => resolve({ FileTransfers });
      fail = reject;
    });
  };
  return { load, release: () => release(), fail: (error: Error) => fail(error), calls: () => calls };
}

let restoreLog: (() => void) | null = null;
afterEach(() => {
  restoreLog?.();
  restoreLog = null;
});

describe('file transfer, loaded with the first file channel', () => {
  it('gets the channel and messages that came while it loaded, in order, and the file arrives intact', async () => {
    const [toBob, toAnn] = channelPair();
    const ann = new FileTransfers(options('Bob'));
    const bobGate = gate();
    let bobChanged = 0;
    const bob = new LazyFileTransfers(options('Ann', () => (bobChanged += 1)), bobGate.load);
    expect(bob.list).toEqual([]);
    expect(bobGate.calls()).toBe(0);

    ann.ready({ deviceId: 'bob-device', userId: 'bob', files: asChannel(toBob) });
    bob.ready({ deviceId: 'ann-device', userId: 'ann', files: asChannel(toAnn) });
    expect(bobGate.calls()).toBe(1);
    toAnn.onMessage = (data) => bob.receive('ann-device', data);
    toBob.onMessage = (data) => ann.receive('bob-device', data);

    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
    await ann.send(file('notes.bin', bytes));
    // The offer reached Bob while his module was loading: it waited.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bob.list).toEqual([]);

    bobGate.release();
    await waitFor(() => bob.list.length === 1, 'the offer is listed once loaded');
    expect(bobChanged).toBeGreaterThan(0);
    const offered = bob.list[0];
    expect(offered).toMatchObject({ direction: 'in', name: 'notes.bin', status: 'offered', size: bytes.byteLength });
    await bob.accept(offered?.key ?? '');
    await waitFor(() => bob.list[0]?.status === 'done', 'the file arrives');
    const received = bob.list[0];
    expect(received?.status).toBe('done');
    expect(bobGate.calls()).toBe(1);
  });

  it('a load that fails is logged, a file sent then says so, and the next try loads it with the channel that waited', async () => {
    const lines: LogEntry[] = [];
    restoreLog = setLogSink((entry) => lines.push(entry));
    const [toBob, toAnn] = channelPair();
    const annGate = gate();
    const ann = new LazyFileTransfers(options('Bob'), annGate.load);
    const bob = new FileTransfers(options('Ann'));
    toBob.onMessage = (data) => ann.receive('bob-device', data);
    toAnn.onMessage = (data) => bob.receive('ann-device', data);

    ann.ready({ deviceId: 'bob-device', userId: 'bob', files: asChannel(toBob) });
    bob.ready({ deviceId: 'ann-device', userId: 'ann', files: asChannel(toAnn) });
    const chunkError = new Error('Failed to fetch dynamically imported module: app://parley/assets/fileTransfers-1234.js');
    annGate.fail(chunkError);
    await waitFor(() => lines.some((l) => l.level === 'error'), 'the failure is logged');
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', scope: expect.stringContaining('call.files'), message: expect.stringContaining('file transfer did not load') }),
    );

    const sending = ann.send(file('a.txt', new TextEncoder().encode('hello')));
    annGate.fail(chunkError);
    await expect(sending).rejects.toThrow(t('notices.filesNotLoaded', { reason: chunkError.message }));

    // The next try: the channel that opened before is there, so the file goes.
    const again = ann.send(file('a.txt', new TextEncoder().encode('hello')));
    annGate.release();
    await again;
    await waitFor(() => bob.list.length === 1, 'Bob is offered the file');
    expect(bob.list[0]).toMatchObject({ name: 'a.txt', status: 'offered' });
    expect(annGate.calls()).toBe(3);
  });

  it('before anything opened: nothing listed, nothing to close, and its memory cap is the call’s', () => {
    const files = new LazyFileTransfers(options('x'), () => Promise.reject(new Error('not to be loaded')));
    files.gone('someone');
    files.reset();
    expect(files.list).toEqual([]);
    expect(files.memoryHeld()).toBe(0);
    expect(files.memoryCap()).toBe(new FileTransfers(options('x')).memoryCap());
  });
});
