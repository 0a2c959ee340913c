/**
 * The E2EE key session of an SFU call (renderer/call/e2ee/e2eeSession.ts): three
 * devices exchange keys through an in-memory relay that checks every message
 * against the protocol schema, as the server does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signalDataSchema, type E2eeSignal } from '../../../signaling-server/protocol';
import { E2eeSession, type E2eeMember, type FrameKeySink } from '../../../renderer/call/e2ee/e2eeSession';
import { decryptFrame, FrameEncryptor } from '../../../renderer/call/e2ee/frameCrypto';
import { makeCallKey } from '../../../renderer/call/e2ee/callKeys';
import { newDeviceIdentity } from '../../support/rendererIdentity';
import type { DeviceIdentity } from '../../../renderer/identity/deviceIdentity';

const CALL = 'call-e2ee-session';

class KeySink implements FrameKeySink {
  send: { id: number; key: CryptoKey } | null = null;
  readonly received = new Map<string, Map<number, CryptoKey>>();
  readonly forgotten: string[] = [];
  setSendKey(keyId: number, key: CryptoKey): void {
    this.send = { id: keyId, key };
  }
  setReceiveKey(deviceId: string, keyId: number, key: CryptoKey): void {
    const keys = this.received.get(deviceId) ?? new Map<number, CryptoKey>();
    keys.set(keyId, key);
    this.received.set(deviceId, keys);
  }
  forget(deviceId: string): void {
    this.received.delete(deviceId);
    this.forgotten.push(deviceId);
  }
}

interface Device {
  identity: DeviceIdentity;
  member: E2eeMember;
  sink: KeySink;
  session: E2eeSession;
}

const sessions: E2eeSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

/** A relay between sessions: schema-checked, delivered in order per sender, possibly tampered. */
function relay(devices: Map<string, Device>, tamper?: (from: string, to: string, m: E2eeSignal) => E2eeSignal) {
  let chain = Promise.resolve();
  return (from: string) => (to: string, message: E2eeSignal) => {
    const parsed = signalDataSchema.parse({ kind: 'e2ee', e2ee: tamper ? tamper(from, to, message) : message });
    if (parsed.kind !== 'e2ee') throw new Error('not e2ee');
    chain = chain.then(() => devices.get(to)?.session.handleSignal(from, parsed.e2ee));
    return Promise.resolve();
  };
}

async function addDevice(devices: Map<string, Device>, send: (from: string) => (to: string, m: E2eeSignal) => unknown): Promise<Device> {
  const { identity } = await newDeviceIdentity();
  const sink = new KeySink();
  const session = await E2eeSession.start({ callId: CALL, self: identity, send: send(identity.deviceId), frames: sink, switchDelayMs: 50 });
  sessions.push(session);
  const device = { identity, member: { userId: identity.userId, deviceId: identity.deviceId }, sink, session };
  devices.set(identity.deviceId, device);
  return device;
}

async function settle(check: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Does a frame `from` seals now open with the key `to` holds for it? */
async function opens(from: Device, to: Device): Promise<boolean> {
  const send = from.sink.send;
  if (!send) return false;
  const sealed = await new FrameEncryptor(0).encrypt(new Uint8Array(40).fill(9).buffer, 3, send);
  const result = await decryptFrame(sealed, (id) => to.sink.received.get(from.identity.deviceId)?.get(id) ?? null);
  return result.ok;
}

describe('E2EE session: keys for every member device', () => {
  it('three devices end up holding each other’s keys, and each one’s frames open for the others', async () => {
    const devices = new Map<string, Device>();
    const send = relay(devices);
    const a = await addDevice(devices, send);
    const b = await addDevice(devices, send);
    const c = await addDevice(devices, send);
    const all = [a, b, c];
    for (const d of all) d.session.setMembers(all.map((x) => x.member));
    await settle(() => all.every((d) => d.session.status().keysComplete), 'all keys');
    for (const from of all) for (const to of all) if (from !== to) expect(await opens(from, to)).toBe(true);
  });

  it('someone joining gets only the new key; someone leaving gets none of the next one', async () => {
    const devices = new Map<string, Device>();
    const send = relay(devices);
    const a = await addDevice(devices, send);
    const b = await addDevice(devices, send);
    a.session.setMembers([a.member, b.member]);
    b.session.setMembers([a.member, b.member]);
    await settle(() => a.session.status().keysComplete && b.session.status().keysComplete, 'a and b');
    const firstKeyOfA = a.sink.send?.id;
    expect(firstKeyOfA).toBe(0);
    const c = await addDevice(devices, send);
    for (const d of [a, b, c]) d.session.setMembers([a.member, b.member, c.member]);
    await settle(() => [a, b, c].every((d) => d.session.status().keysComplete) && a.sink.send?.id === 1, 'rotation after the join');
    // c never received a's first key: media sent before it came stays closed to it.
    expect([...(c.sink.received.get(a.identity.deviceId)?.keys() ?? [])]).toEqual([1]);
    expect(await opens(a, c)).toBe(true);
    // c leaves: a and b rotate and forget c's keys; c gets nothing new.
    for (const d of [a, b]) d.session.setMembers([a.member, b.member]);
    await settle(() => a.sink.send?.id === 2 && b.sink.send?.id === 2, 'rotation after the leave');
    expect(a.sink.forgotten).toContain(c.identity.deviceId);
    expect(c.sink.received.get(a.identity.deviceId)?.has(2)).toBe(false);
    expect(await opens(a, c)).toBe(false);
    expect(await opens(a, b)).toBe(true);
  });

  it('a call key swapped by the relay is refused, and the call is not complete', async () => {
    const devices = new Map<string, Device>();
    const mallory = await makeCallKey();
    let b: Device | null = null;
    const send = relay(devices, (_from, to, m) => {
      if (m.type !== 'announce' || to !== b?.identity.deviceId) return m;
      // The relay swaps in its own key under a's proof (it cannot sign for a's device).
      return { ...m, spki: mallory.spki };
    });
    const a = await addDevice(devices, send);
    b = await addDevice(devices, send);
    a.session.setMembers([a.member, b.member]);
    b.session.setMembers([a.member, b.member]);
    const bob = b;
    await settle(() => bob.session.status().refused.includes(a.identity.deviceId), 'the refusal');
    expect(bob.session.status().keysComplete).toBe(false);
    expect(bob.sink.received.has(a.identity.deviceId)).toBe(false);
  });

  it('a device claiming another member’s place is refused (its proof names its own device)', async () => {
    const devices = new Map<string, Device>();
    const send = relay(devices);
    const a = await addDevice(devices, send);
    const b = await addDevice(devices, send);
    const impostor = await newDeviceIdentity();
    a.session.setMembers([a.member, b.member]);
    b.session.setMembers([a.member, b.member]);
    await settle(() => b.session.status().keysComplete, 'b complete');
    // The server relays an announce as if from a, signed by another device.
    const key = await makeCallKey();
    const proof = await impostor.identity.signE2eeKey({ callId: CALL, spki: key.spki });
    await b.session.handleSignal(a.identity.deviceId, { type: 'announce', spki: key.spki, proof, reply: false });
    expect(b.session.status().refused).toEqual([a.identity.deviceId]);
    expect(b.session.status().keysComplete).toBe(false);
  });
});
