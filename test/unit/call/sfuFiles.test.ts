/**
 * Files in SFU calls (renderer/call/sfu/sfuFileChannel.ts, sfuFiles.ts): sealing and
 * opening relayed file messages, the pacer, and two devices with real E2EE key
 * sessions and real FileTransfers exchanging a file through an in-memory relay that
 * checks every message against the protocol schema, as the server does, and
 * records what it carried: the file arrives intact, the relay never sees it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS, signalDataSchema, type E2eeSignal } from '../../../signaling-server/protocol';
import { fromBase64url } from '../../../signaling-server/identity';
import { E2eeSession, type FrameKeySink } from '../../../renderer/call/e2ee/e2eeSession';
import { CHUNK_BYTES } from '../../../renderer/call/fileTransferProtocol';
import { FileTransfers, type FileLike } from '../../../renderer/call/fileTransfers';
import { openFileMessage, RelayPacer, sealFileMessage, type SealContext } from '../../../renderer/call/sfu/sfuFileChannel';
import { createSfuFiles, type SfuFiles } from '../../../renderer/call/sfu/sfuFiles';
import { newDeviceIdentity } from '../../support/rendererIdentity';
import { waitFor } from '../fakes/waitFor';

const CALL = 'call-sfu-files';
const ctx: SealContext = { callId: CALL, fromDeviceId: 'device-a', toDeviceId: 'device-b' };

async function aesKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

describe('sealing relayed file messages', () => {
  it('opens what was sealed, in its place only', async () => {
    const key = await aesKey();
    const body = new TextEncoder().encode('{"type":"accept","id":"abcdefgh"}');
    const sealed = await sealFileMessage(key, ctx, 7, 0, body);
    const opened = await openFileMessage(key, ctx, 7, sealed);
    expect(opened).toEqual({ ok: true, type: 0, body });
    // Another sequence number (replayed, reordered), the other direction, another call, another key: refused.
    expect((await openFileMessage(key, ctx, 8, sealed)).ok).toBe(false);
    expect((await openFileMessage(key, { ...ctx, fromDeviceId: 'device-b', toDeviceId: 'device-a' }, 7, sealed)).ok).toBe(false);
    expect((await openFileMessage(key, { ...ctx, callId: 'other' }, 7, sealed)).ok).toBe(false);
    expect((await openFileMessage(await aesKey(), ctx, 7, sealed)).ok).toBe(false);
    // One character changed: refused.
    const flipped = sealed.slice(0, 20) + (sealed[20] === 'A' ? 'B' : 'A') + sealed.slice(21);
    expect((await openFileMessage(key, ctx, 7, flipped)).ok).toBe(false);
  });

  it('refuses outside input of any shape without throwing', async () => {
    const key = await aesKey();
    for (const junk of [null, 42, {}, '', 'f1.', 'f1.!!!', 'hello', 'f1.' + 'A'.repeat(40), 'f1.' + 'A'.repeat(40_000)]) {
      const opened = await openFileMessage(key, ctx, 0, junk);
      expect(opened.ok, String(junk).slice(0, 20)).toBe(false);
    }
  });

  it('a full chunk fits the relay limit, and the ciphertext does not carry the plaintext', async () => {
    const key = await aesKey();
    const chunk = new Uint8Array(CHUNK_BYTES).fill(0x41);
    const sealed = await sealFileMessage(key, ctx, 0, 1, chunk);
    expect(sealed.length).toBeLessThanOrEqual(LIMITS.maxRelayChars);
    expect(Buffer.from(fromBase64url(sealed.slice(3))).includes(Buffer.from('AAAAAAAAAAAAAAAA'))).toBe(false);
  });
});

describe('the relay pacer', () => {
  it('spaces messages at its rate, in order', async () => {
    let clock = 0;
    const slept: number[] = [];
    const pacer = new RelayPacer(
      10,
      () => clock,
      async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    );
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map(async (i) => pacer.turn().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(slept).toEqual([100, 100, 100]);
  });
});

// ─── two devices through a fake relay ───────────────────────────────────────

const noFrames: FrameKeySink = { setSendKey: () => undefined, setReceiveKey: () => undefined, forget: () => undefined };
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

interface Device {
  deviceId: string;
  userId: string;
  session: E2eeSession;
  transfers: FileTransfers;
  files: SfuFiles;
}

let ids = 0;

async function twoDevices(tamper?: (payload: string, index: number) => string) {
  const carried: string[] = [];
  const devices = new Map<string, Device>();
  let e2eeChain = Promise.resolve();
  let fileChain = Promise.resolve();
  const make = async (): Promise<Device> => {
    const { identity } = await newDeviceIdentity();
    const deviceId = identity.deviceId;
    const session = await E2eeSession.start({
      callId: CALL,
      self: identity,
      frames: noFrames,
      switchDelayMs: 20,
      send: (to: string, message: E2eeSignal) => {
        const parsed = signalDataSchema.parse({ kind: 'e2ee', e2ee: message });
        if (parsed.kind !== 'e2ee') throw new Error('not e2ee');
        e2eeChain = e2eeChain.then(() => devices.get(to)?.session.handleSignal(deviceId, parsed.e2ee));
        return Promise.resolve();
      },
    });
    const transfers = new FileTransfers({
      maxFileBytes: () => 100 * 1024 * 1024,
      peerName: () => 'Peer',
      newId: () => `transfer-${String((ids += 1)).padStart(6, '0')}`,
      onChange: () => undefined,
    });
    const files = createSfuFiles({
      selfDeviceId: deviceId,
      transfers,
      pacer: new RelayPacer(1000),
      send: (callId, to, payload) => {
        const index = carried.length;
        const sent = tamper ? tamper(payload, index) : payload;
        // What the server checks (protocol.ts) and carries.
        const parsed = signalDataSchema.parse({ kind: 'relay', channel: 'files', payload: sent });
        if (parsed.kind !== 'relay') throw new Error('not relay');
        carried.push(parsed.payload);
        fileChain = fileChain.then(() => devices.get(to)?.files.receive(callId, deviceId, parsed.payload));
        return Promise.resolve({ ok: true });
      },
    });
    cleanups.push(() => {
      files.dispose();
      session.close();
    });
    const device = { deviceId, userId: identity.userId, session, transfers, files };
    devices.set(deviceId, device);
    return device;
  };
  const a = await make();
  const b = await make();
  const follow = (me: Device, other: Device): void =>
    me.files.follow({ callId: CALL, members: [{ deviceId: other.deviceId, userId: other.userId }], keys: (id) => me.session.fileKeys(id) });
  a.session.setMembers([{ deviceId: b.deviceId, userId: b.userId }]);
  b.session.setMembers([{ deviceId: a.deviceId, userId: a.userId }]);
  await waitFor(() => a.session.fileKeys(b.deviceId) !== null && b.session.fileKeys(a.deviceId) !== null, 'both devices have file keys', 20_000);
  follow(a, b);
  follow(b, a);
  return { a, b, carried };
}

/** A recognisable, non-repeating pattern, so a plaintext slice in the relay would be found. */
function secretFile(size: number): { file: FileLike; bytes: Uint8Array<ArrayBuffer> } {
  const bytes = new Uint8Array(size);
  const marker = new TextEncoder().encode('PARLEY-PLAINTEXT-');
  for (let i = 0; i < size; i += 1) bytes[i] = i % 64 < marker.length ? (marker[i % 64] ?? 0) : (i * 31) & 0xff;
  return { file: { name: 'secret.bin', size, type: 'application/octet-stream', arrayBuffer: async () => bytes.slice().buffer }, bytes };
}

describe('files through the relay', () => {
  it('a file larger than the flow-control window arrives intact; the relay carries only ciphertext', async () => {
    const { a, b, carried } = await twoDevices();
    const { file, bytes } = secretFile(1_300_000 + 123);
    await a.transfers.send(file);
    await waitFor(() => b.transfers.list.some((t) => t.status === 'offered'), 'b is offered the file', 20_000);
    const offer = b.transfers.list.find((t) => t.status === 'offered');
    expect(offer?.size).toBe(bytes.byteLength);
    await b.transfers.accept(offer?.key ?? '');
    await waitFor(() => a.transfers.list[0]?.status === 'done', 'a sees the file delivered and checked', 60_000);
    const received = b.transfers.list[0];
    expect(received?.status).toBe('done');
    expect(new Uint8Array(await (received?.blob ?? new Blob()).arrayBuffer())).toEqual(bytes);
    expect(a.transfers.list[0]?.bytes).toBe(bytes.byteLength);
    // The server carried many messages, each within its limit, none with the plaintext or its name.
    expect(carried.length).toBeGreaterThan(Math.ceil(bytes.byteLength / CHUNK_BYTES));
    for (const payload of carried) {
      expect(payload.length).toBeLessThanOrEqual(LIMITS.maxRelayChars);
      expect(payload).not.toContain('secret.bin');
      const raw = Buffer.from(fromBase64url(payload.slice(3)));
      expect(raw.includes(Buffer.from('PARLEY-PLAINTEXT-'))).toBe(false);
      expect(raw.includes(Buffer.from('secret.bin'))).toBe(false);
    }
  }, 120_000);

  it('a message altered on the way stops the transfer on both sides; nothing unverified is handed out', async () => {
    // The 4th relayed message (a chunk after offer and accept) is altered.
    const { a, b } = await twoDevices((payload, index) => (index === 3 ? payload.slice(0, 30) + (payload[30] === 'A' ? 'B' : 'A') + payload.slice(31) : payload));
    const { file } = secretFile(200_000);
    await a.transfers.send(file);
    await waitFor(() => b.transfers.list.some((t) => t.status === 'offered'), 'b is offered the file', 20_000);
    await b.transfers.accept(b.transfers.list[0]?.key ?? '');
    await waitFor(() => b.transfers.list[0]?.status === 'failed', 'b gives the transfer up', 20_000);
    expect(b.transfers.list[0]?.blob).toBeNull();
  }, 60_000);

  it('cancel from the receiver stops the sender', async () => {
    const { a, b } = await twoDevices();
    const { file } = secretFile(3_000_000);
    await a.transfers.send(file);
    await waitFor(() => b.transfers.list.some((t) => t.status === 'offered'), 'b is offered the file', 20_000);
    await b.transfers.accept(b.transfers.list[0]?.key ?? '');
    await waitFor(() => (b.transfers.list[0]?.bytes ?? 0) > 0, 'bytes arrive', 20_000);
    b.transfers.cancel(b.transfers.list[0]?.key ?? '');
    await waitFor(() => a.transfers.list[0]?.status === 'cancelled', 'a sees the cancel', 20_000);
    expect(b.transfers.list[0]?.status).toBe('cancelled');
  }, 60_000);
});

describe('following the call', () => {
  it('a channel per member with keys; new keys make a new channel; one who leaves, or the end of the call, closes it', async () => {
    const events: string[] = [];
    const transfers = {
      ready: (link: { deviceId: string }) => events.push(`ready ${link.deviceId}`),
      gone: (deviceId: string) => events.push(`gone ${deviceId}`),
      receive: () => undefined,
    };
    const files = createSfuFiles({ selfDeviceId: 'me', transfers, send: () => Promise.resolve(), pacer: new RelayPacer(1000) });
    cleanups.push(() => files.dispose());
    const k1 = { send: await aesKey(), receive: await aesKey() };
    const k2 = { send: await aesKey(), receive: await aesKey() };
    let bKeys: typeof k1 | null = null;
    const members = [
      { deviceId: 'a', userId: 'ua' },
      { deviceId: 'b', userId: 'ub' },
    ];
    const call = (m = members) => ({ callId: CALL, members: m, keys: (id: string) => (id === 'a' ? k1 : bKeys) });
    files.follow(call());
    expect(events).toEqual(['ready a']);
    bKeys = k1;
    files.follow(call());
    expect(events).toEqual(['ready a', 'ready b']);
    bKeys = k2; // b rejoined with a new call key
    files.follow(call());
    expect(events).toEqual(['ready a', 'ready b', 'gone b', 'ready b']);
    files.follow(call(members.slice(1)));
    expect(events.slice(4)).toEqual(['gone a']);
    files.follow(null);
    expect(events.slice(5)).toEqual(['gone b']);
  });
});
