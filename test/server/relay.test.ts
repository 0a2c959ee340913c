import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../signaling-server/protocol';
import { answer, cleanup, connectClient, establishCall, freshId, offer, ringTwoDevices, startServer, type TestClient } from './harness';

afterEach(cleanup);

async function threeUsers() {
  const server = await startServer();
  const alice = await connectClient(server, { name: 'alice' });
  const bob = await connectClient(server, { name: 'bob' });
  const carol = await connectClient(server, { name: 'carol' });
  return { server, alice, bob, carol };
}

/** Sends an honest marker and waits for it: every signal sent before it has arrived too. */
async function drain(from: TestClient, to: TestClient, callId: string): Promise<void> {
  expect(await from.request('signal', { callId, to: to.deviceId, data: answer('marker') })).toEqual({ ok: true });
  await to.next('signal', (p) => p.data.kind === 'description' && p.data.description.sdp === 'marker');
}

describe('signal relay', () => {
  it('refuses a recipient outside the call and delivers nothing to them', async () => {
    const { alice, bob, carol } = await threeUsers();
    const callId = await establishCall(alice, bob);
    expect(await alice.request('signal', { callId, to: carol.deviceId, data: offer() })).toMatchObject({
      ok: false,
      error: { code: 'unknown_recipient' },
    });
    expect(await alice.request('signal', { callId, to: freshId('ghost-dev'), data: offer() })).toMatchObject({
      ok: false,
      error: { code: 'unknown_recipient' },
    });
    expect(await alice.request('signal', { callId, to: alice.deviceId, data: offer() })).toMatchObject({
      ok: false,
      error: { code: 'unknown_recipient' },
    });
    expect(carol.all('signal')).toEqual([]);
  });

  it("refuses a stranger signalling into someone else's call, the same way as into no call", async () => {
    const { alice, bob, carol } = await threeUsers();
    const callId = await establishCall(alice, bob);
    const intoTheirs = await carol.request('signal', { callId, to: bob.deviceId, data: offer('evil') });
    const intoNothing = await carol.request('signal', { callId: freshId('no-call'), to: bob.deviceId, data: offer('evil') });
    expect(intoTheirs).toMatchObject({ ok: false, error: { code: 'not_in_call' } });
    expect(intoNothing).toEqual(intoTheirs);
    await drain(alice, bob, callId);
    expect(bob.all('signal')).toHaveLength(1);
  });

  it('refuses a spoofed "from" and stamps the real sender', async () => {
    const { alice, bob, carol } = await threeUsers();
    const callId = await establishCall(alice, bob);
    expect(await alice.raw('signal', { callId, to: bob.deviceId, data: offer(), from: carol.deviceId })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', message: expect.stringContaining('"from"') },
    });
    expect(await alice.raw('signal', { callId, to: bob.deviceId, data: offer() })).toEqual({ ok: true });
    expect(await bob.next('signal')).toEqual({ callId, from: alice.deviceId, fromUserId: alice.userId, data: offer() });
    expect(bob.all('signal')).toHaveLength(1);
  });

  it('lets a ringing device and a member talk, but not two ringing devices', async () => {
    const { server, alice } = await threeUsers();
    const { desk, tab, callId } = await ringTwoDevices(server, alice);
    expect(await alice.request('signal', { callId, to: desk.deviceId, data: offer() })).toEqual({ ok: true });
    expect(await desk.next('signal')).toMatchObject({ from: alice.deviceId });
    expect(await desk.request('signal', { callId, to: alice.deviceId, data: answer() })).toEqual({ ok: true });
    expect(await alice.next('signal')).toMatchObject({ from: desk.deviceId });
    expect(await desk.request('signal', { callId, to: tab.deviceId, data: offer() })).toMatchObject({
      ok: false,
      error: { code: 'unknown_recipient' },
    });
    expect(tab.all('signal')).toEqual([]);
  });

  it('stops relaying for a device once it left the call', async () => {
    const { alice, bob, carol } = await threeUsers();
    const callId = await establishCall(alice, bob);
    await alice.request('call:invite', { to: carol.userId, media: 'audio', callId });
    await carol.next('call:incoming');
    await carol.request('call:accept', { callId, audio: true, video: false });
    await bob.request('call:leave', { callId });
    expect(await bob.request('signal', { callId, to: alice.deviceId, data: offer() })).toMatchObject({
      ok: false,
      error: { code: 'not_in_call' },
    });
    expect(await carol.request('signal', { callId, to: bob.deviceId, data: offer() })).toMatchObject({
      ok: false,
      error: { code: 'unknown_recipient' },
    });
  });

  it('holds at most the queue limit for a disconnected member, dropping the oldest', async () => {
    const server = await startServer({ rateLimit: { capacity: 10_000, refillPerSecond: 10_000, maxViolations: 100, windowMs: 10_000 } });
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const callId = await establishCall(alice, bob);
    bob.close();
    await alice.next('call:updated', (p) => p.call.members.some((m) => !m.connected));
    const total = LIMITS.maxQueuedSignalsPerDevice + 10;
    for (let n = 0; n < total; n++) {
      const sent = await alice.request('signal', { callId, to: bob.deviceId, data: offer(`sdp-${n}`) });
      expect(sent).toEqual({ ok: true });
    }
    const back = await connectClient(server, { name: 'bob-again', identity: bob.identity });
    await drain(alice, back, callId);
    const sdps = back.all('signal').map((s) => (s.data.kind === 'description' ? s.data.description.sdp : ''));
    expect(sdps).toHaveLength(LIMITS.maxQueuedSignalsPerDevice + 1);
    expect(sdps[0]).toBe('sdp-10');
    expect(sdps.at(-2)).toBe(`sdp-${total - 1}`);
  });
});
