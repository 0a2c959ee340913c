/**
 * The server → client schemas in protocol.ts describe what the real server sends:
 * a whole call session is recorded with real socket.io clients on a real server,
 * and every event it emitted parses with `serverEventSchemas`, with nothing left
 * over (a key the schema forgot would be dropped silently by every client). The
 * acks the client reads parse with their schemas too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  callAckSchema,
  iceServersAckSchema,
  SERVER_EVENT_NAMES,
  serverEventSchemas,
  type ServerEventName,
} from '../../signaling-server/protocol';
import { cleanup, connectClient, offer, ringTwoDevices, startServer, type TestClient } from './harness';

afterEach(cleanup);

/** Each event the client received, with why it does not parse (or does not round-trip), if so. */
function mismatches(client: TestClient): string[] {
  return client.received.flatMap(({ event, payload }) => {
    const parsed = serverEventSchemas[event].safeParse(payload);
    if (!parsed.success) return [`${client.name} "${event}": ${JSON.stringify(parsed.error.issues)}`];
    return JSON.stringify(parsed.data) === JSON.stringify(payload)
      ? []
      : [`${client.name} "${event}": the schema changed ${JSON.stringify(payload)} into ${JSON.stringify(parsed.data)}`];
  });
}

describe('server → client schemas', () => {
  it('parse every event the real server emits in a call session, unchanged, and the session covers every event', async () => {
    const server = await startServer({ turn: { secret: 'protocol-schemas-turn-secret', urls: ['turn:127.0.0.1:3478'] } });
    const alice = await connectClient(server, { name: 'alice' });
    const carol = await connectClient(server, { name: 'carol' });
    await alice.next('presence:joined', (u) => u.userId === carol.userId);
    expect(await carol.request('presence:status', { status: 'away' })).toEqual({ ok: true });
    await alice.next('presence:updated', (u) => u.userId === carol.userId && u.status === 'away');

    // Alice calls Bob, who rings on two devices; his desk answers, his tab stops ringing.
    const { desk, tab, callId } = await ringTwoDevices(server, alice);
    const accepted = await desk.request('call:accept', { callId, audio: true, video: false });
    expect(callAckSchema.safeParse(accepted).success).toBe(true);
    await tab.next('call:ring-ended', (e) => e.callId === callId && e.reason === 'answered_elsewhere');

    // Carol is invited into the call and declines: the members learn the invite ended.
    const invited = await alice.request('call:invite', { to: carol.userId, media: 'audio', callId });
    expect(callAckSchema.safeParse(invited).success).toBe(true);
    await carol.next('call:incoming', (c) => c.callId === callId);
    expect(await carol.request('call:decline', { callId })).toEqual({ ok: true });
    await alice.next('call:invite-ended', (e) => e.callId === callId && e.reason === 'declined');

    const ice = await alice.request('ice:servers', {});
    expect(iceServersAckSchema.safeParse(ice).success).toBe(true);
    expect(await alice.request('signal', { callId, to: desk.deviceId, data: offer() })).toEqual({ ok: true });
    await desk.next('signal', (s) => s.callId === callId);

    // Bob's desk connects again from elsewhere: the old socket is kicked, the new one welcomed into the call.
    const desk2 = await connectClient(server, { name: 'bob-desk-again', userId: desk.userId, deviceId: desk.deviceId });
    await desk.next('session:kicked');
    expect(desk2.welcome?.call?.callId).toBe(callId);

    // Dave joins too, then Bob's desk leaves: a member left, and the call goes on.
    const dave = await connectClient(server, { name: 'dave' });
    await alice.request('call:invite', { to: dave.userId, media: 'audio', callId });
    await dave.next('call:incoming', (c) => c.callId === callId);
    await dave.request('call:accept', { callId, audio: true, video: false });
    expect(await desk2.request('call:leave', { callId })).toEqual({ ok: true });
    await dave.next('call:member-left', (e) => e.callId === callId && e.deviceId === desk.deviceId);
    expect(await alice.request('call:leave', { callId })).toEqual({ ok: true });
    await dave.next('call:ended', (e) => e.callId === callId && e.reason === 'hangup');

    carol.close();
    await alice.next('presence:left', (e) => e.userId === carol.userId);
    await server.close();
    await alice.next('server:shutdown');

    const everyone = [alice, carol, desk, tab, desk2, dave];
    expect(everyone.flatMap(mismatches)).toEqual([]);
    const seen = new Set<ServerEventName>(everyone.flatMap((c) => c.received.map((r) => r.event)));
    expect(SERVER_EVENT_NAMES.filter((event) => !seen.has(event))).toEqual([]);
  });
});
