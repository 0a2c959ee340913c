/**
 * The call's file transfers (FileTransfers) between real parties over fake channel
 * pairs: each receiver in a group decides for itself, what a call holds in memory
 * is capped and freed on dismiss, and on the desktop received files go to the
 * host's download writer instead of memory. Also the streaming SHA-256 they rely on.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DataChannelLike } from '../../../renderer/call/dataChannel';
import { DISK_WRITE_BYTES, type DownloadHost } from '../../../renderer/call/fileSink';
import { FileTransfers, type FileLike, type ReceivedFileHost, type TransferView } from '../../../renderer/call/fileTransfers';
import { Sha256 } from '../../../renderer/call/sha256Stream';
import { waitFor } from '../fakes/waitFor';
import { channelPair, type FakeDataChannel } from './fakeDataChannel';
import { bytesOf } from './fileTransferHarness';

let ids = 0;

function party(name: string, options: { memoryCap?: number; downloads?: ReceivedFileHost } = {}) {
  const transfers = new FileTransfers({
    maxFileBytes: () => 100 * 1024 * 1024,
    peerName: (deviceId) => deviceId.replace(/-device.*/, ''),
    newId: () => `transfer-${String((ids += 1)).padStart(6, '0')}`,
    onChange: () => undefined,
    ...(options.memoryCap ? { memoryCap: () => options.memoryCap ?? 0 } : {}),
    ...(options.downloads ? { downloads: options.downloads } : {}),
  });
  return { name, deviceId: `${name}-device-0001`, transfers };
}
type Party = ReturnType<typeof party>;

/** Joins two parties as the peer channels would once both ends are open. */
function connect(a: Party, b: Party): void {
  const [aFiles, bFiles] = channelPair();
  // The fake is an EventTarget, whose listener type is wider than DataChannelLike's event map.
  const asChannel = (channel: FakeDataChannel): DataChannelLike => channel as unknown as DataChannelLike;
  a.transfers.ready({ deviceId: b.deviceId, userId: `${b.name}-user-0001`, files: asChannel(aFiles) });
  b.transfers.ready({ deviceId: a.deviceId, userId: `${a.name}-user-0001`, files: asChannel(bFiles) });
  aFiles.onMessage = (data) => a.transfers.receive(b.deviceId, data);
  bFiles.onMessage = (data) => b.transfers.receive(a.deviceId, data);
}

function file(name: string, size: number): FileLike {
  const bytes = bytesOf(size, size);
  return { name, size, type: 'text/plain', arrayBuffer: async () => bytes.buffer };
}

function view(p: Party, name: string, direction: 'in' | 'out' = 'in', peer?: Party): TransferView | undefined {
  return p.transfers.list.find((t) => t.name === name && t.direction === direction && (!peer || t.peer.deviceId === peer.deviceId));
}

async function offered(p: Party, name: string): Promise<TransferView> {
  await waitFor(() => view(p, name)?.status === 'offered', `${p.name} is offered ${name}`);
  const found = view(p, name);
  if (!found) throw new Error('no offer');
  return found;
}

describe('files in a group call', () => {
  it('each receiver decides for itself: one accepts and gets the file, the other declines', async () => {
    const alice = party('alice');
    const bob = party('bob');
    const carol = party('carol');
    connect(alice, bob);
    connect(alice, carol);
    await alice.transfers.send(file('plan.txt', 70_000));
    await bob.transfers.accept((await offered(bob, 'plan.txt')).key);
    carol.transfers.decline((await offered(carol, 'plan.txt')).key);
    await waitFor(() => view(alice, 'plan.txt', 'out', bob)?.status === 'done', 'delivered to Bob');
    await waitFor(() => view(alice, 'plan.txt', 'out', carol)?.status === 'rejected', 'Carol said no');
    expect(view(alice, 'plan.txt', 'out', carol)?.problem).toEqual({ kind: 'declined', by: 'peer' });
    expect(view(bob, 'plan.txt')?.blob?.size).toBe(70_000);
    expect(view(carol, 'plan.txt')?.blob).toBeNull();
  });
});

describe('what a call holds in memory', () => {
  it('refuses an offer that would pass the cap with a reason on both sides, and takes files again once some are removed', async () => {
    const alice = party('alice');
    const bob = party('bob', { memoryCap: 300_000 });
    connect(alice, bob);
    await alice.transfers.send(file('one.bin', 200_000));
    await bob.transfers.accept((await offered(bob, 'one.bin')).key);
    await waitFor(() => view(bob, 'one.bin')?.status === 'done', 'the first file arrives');
    expect(bob.transfers.memoryHeld()).toBe(200_000);

    await alice.transfers.send(file('two.bin', 200_000));
    await waitFor(() => view(alice, 'two.bin', 'out')?.status === 'rejected', 'Alice is told there is no room');
    expect(view(alice, 'two.bin', 'out')?.problem).toEqual({ kind: 'no_room', limit: 300_000 });
    expect(view(bob, 'two.bin')).toMatchObject({ status: 'rejected', problem: { kind: 'no_room', limit: 300_000 } });

    // Removing the first file from the list lets go of it.
    bob.transfers.dismiss(view(bob, 'one.bin')?.key ?? '');
    expect(view(bob, 'one.bin')).toBeUndefined();
    expect(bob.transfers.memoryHeld()).toBe(0);
    await alice.transfers.send(file('three.bin', 200_000));
    await bob.transfers.accept((await offered(bob, 'three.bin')).key);
    await waitFor(() => view(bob, 'three.bin')?.status === 'done', 'there is room again');
  });

  it('Accept refuses, with what to do, when offers from two people would together pass the cap; the offer stays', async () => {
    const bob = party('bob', { memoryCap: 300_000 });
    const alice = party('alice');
    const carol = party('carol');
    connect(alice, bob);
    connect(carol, bob);
    await alice.transfers.send(file('a.bin', 200_000));
    await carol.transfers.send(file('c.bin', 200_000));
    const fromAlice = await offered(bob, 'a.bin');
    const fromCarol = await offered(bob, 'c.bin');
    await bob.transfers.accept(fromAlice.key);
    await expect(bob.transfers.accept(fromCarol.key)).rejects.toThrow(/does not fit: this call already holds .* Save and remove some files/);
    expect(view(bob, 'c.bin')?.status).toBe('offered');
  });

  it('a call that ends lets go of every received file', async () => {
    const alice = party('alice');
    const bob = party('bob');
    connect(alice, bob);
    await alice.transfers.send(file('kept.bin', 50_000));
    await bob.transfers.accept((await offered(bob, 'kept.bin')).key);
    await waitFor(() => view(bob, 'kept.bin')?.status === 'done', 'arrived');
    bob.transfers.reset();
    expect(bob.transfers.list).toEqual([]);
    expect(bob.transfers.memoryHeld()).toBe(0);
  });
});

/** A download host that keeps what it is given, as main's writer would on disk. */
class RecordingDownloads implements ReceivedFileHost {
  readonly written = new Map<string, Uint8Array[]>();
  readonly revealed: string[] = [];
  readonly aborted: string[] = [];
  private next = 0;
  private readonly expected = new Map<string, { name: string; sha256: string }>();
  beginDownload: DownloadHost['beginDownload'] = async ({ name, sha256 }) => {
    const id = `download-${String((this.next += 1)).padStart(4, '0')}`;
    this.written.set(id, []);
    this.expected.set(id, { name, sha256 });
    return { id };
  };
  writeDownload: DownloadHost['writeDownload'] = async ({ id, chunk }) => {
    this.written.get(id)?.push(chunk.slice());
  };
  finishDownload: DownloadHost['finishDownload'] = async ({ id }) => {
    const hash = createHash('sha256');
    for (const chunk of this.written.get(id) ?? []) hash.update(chunk);
    const sha256 = hash.digest('hex');
    const expected = this.expected.get(id);
    if (sha256 !== expected?.sha256) return { ok: false, reason: 'checksum', message: 'mismatch' };
    return { ok: true, path: `/home/bob/Downloads/${expected.name}`, sha256 };
  };
  abortDownload: DownloadHost['abortDownload'] = async ({ id }) => {
    this.aborted.push(id);
  };
  revealDownload: ReceivedFileHost['revealDownload'] = async ({ id }) => {
    this.revealed.push(id);
  };
}

describe('received files on the desktop', () => {
  it('go to the host’s download writer, not to memory, and can be shown in their folder', async () => {
    const downloads = new RecordingDownloads();
    const alice = party('alice');
    const bob = party('bob', { downloads, memoryCap: 1 });
    connect(alice, bob);
    await alice.transfers.send(file('big.bin', 500_000));
    // The memory cap does not apply: nothing is held in the window.
    await bob.transfers.accept((await offered(bob, 'big.bin')).key);
    await waitFor(() => view(bob, 'big.bin')?.status === 'done', 'saved');
    expect(view(bob, 'big.bin')).toMatchObject({ savedPath: '/home/bob/Downloads/big.bin', blob: null });
    expect(bob.transfers.memoryHeld()).toBe(0);
    const chunks = downloads.written.get('download-0001') ?? [];
    expect(chunks.reduce((n, c) => n + c.byteLength, 0)).toBe(500_000);
    // 31 chunks of 16 KiB from the channel go to main as 2 writes, none above the gathering size.
    expect(chunks.map((c) => c.byteLength)).toEqual([DISK_WRITE_BYTES, 500_000 - DISK_WRITE_BYTES]);
    await bob.transfers.reveal(view(bob, 'big.bin')?.key ?? '');
    expect(downloads.revealed).toEqual(['download-0001']);
    await waitFor(() => view(alice, 'big.bin', 'out')?.status === 'done', 'Alice sees it verified');
  });

  it('a cancelled download is aborted on the host, so no part file stays behind', async () => {
    const downloads = new RecordingDownloads();
    const alice = party('alice');
    const bob = party('bob', { downloads });
    connect(alice, bob);
    await alice.transfers.send(file('gone.bin', 4 * 1024 * 1024));
    await bob.transfers.accept((await offered(bob, 'gone.bin')).key);
    await waitFor(() => (view(bob, 'gone.bin')?.bytes ?? 0) > 0, 'bytes arrive');
    bob.transfers.cancel(view(bob, 'gone.bin')?.key ?? '');
    await waitFor(() => downloads.aborted.length === 1, 'the host is told to delete it');
  });

  it('a host that cannot save fails the transfer with its reason and tells the sender', async () => {
    const downloads = new RecordingDownloads();
    downloads.beginDownload = async () => {
      throw new Error('The folder for received files, /gone, is missing. Choose another in Settings → Files.');
    };
    const alice = party('alice');
    const bob = party('bob', { downloads });
    connect(alice, bob);
    await alice.transfers.send(file('nowhere.bin', 10_000));
    await bob.transfers.accept((await offered(bob, 'nowhere.bin')).key);
    expect(view(bob, 'nowhere.bin')).toMatchObject({ status: 'failed', problem: { kind: 'storage', message: expect.stringContaining('/gone') } });
    await waitFor(() => view(alice, 'nowhere.bin', 'out')?.status === 'rejected', 'Alice is told');
  });
});

describe('streaming SHA-256', () => {
  it('matches a one-shot hash however the bytes are split', () => {
    for (const size of [0, 1, 55, 56, 63, 64, 65, 128, 1000, 70_001]) {
      const bytes = bytesOf(size, 3);
      const hash = new Sha256();
      let step = 1;
      for (let at = 0; at < size; at += step, step = (step * 7 + 3) % 200 + 1) hash.update(bytes.subarray(at, at + step));
      expect(hash.hex(), `${size} bytes`).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });
});
