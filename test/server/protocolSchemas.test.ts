/**
 * The server → client schemas in protocol.ts describe what the real server sends:
 * a whole call session is recorded with real socket.io clients on a real server,
 * and every event it emitted parses with `serverEventSchemas`, with nothing left
 * over (a key the schema forgot would be dropped silently by every client). The
 * session's acks parse with `serverAckSchemas` the same way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  SERVER_EVENT_NAMES,
  serverAckSchemas,
  type ClientEventName,
  type ClientToServerEvents,
  type ServerEventName,
} from '../../signaling-server/protocol';
import { deviceCertMessage, sign } from '../../signaling-server/identity';
import { ackMismatch, eventMismatches } from '../support/schemaRoundTrip';
import { cleanup, connectClient, offer, rejoinTokenOf, ringTwoDevices, startServer, type AckOf, type TestClient } from './harness';

afterEach(cleanup);

/**
 * The SFU's events need a real Janus (and, for sfu:offer, real media): they are
 * checked the same way in test/sfu/sfuRelay.test.ts, and left out of this session.
 */
const SFU_CLIENT_EVENTS = new Set<string>(['sfu:publish', 'sfu:unpublish', 'sfu:subscribe', 'sfu:answer', 'sfu:candidate', 'sfu:layer']);
const SFU_SERVER_EVENTS = new Set<string>(['sfu:offer', 'sfu:candidate', 'sfu:restart']);

/** Every ack of the session, to check against serverAckSchemas. */
const acks: { event: ClientEventName; ack: unknown }[] = [];
async function ask<E extends ClientEventName>(client: TestClient, event: E, payload: Parameters<ClientToServerEvents[E]>[0]): Promise<AckOf<E>> {
  const ack = await client.request(event, payload);
  acks.push({ event, ack });
  return ack;
}

describe('server → client schemas', () => {
  it('parse every event and ack the real server sends in a call session, unchanged, and the session covers all of them', async () => {
    const server = await startServer({ directory: true, turn: { secret: 'protocol-schemas-turn-secret', urls: ['turn:127.0.0.1:3478'] } });
    const alice = await connectClient(server, { name: 'alice' });
    const carol = await connectClient(server, { name: 'carol' });

    // Alice finds Carol in the directory and asks her to be a contact; Carol accepts; both list each other.
    const found = await ask(alice, 'directory:search', { query: 'car' });
    expect(found).toMatchObject({ ok: true, users: [{ userId: carol.userId, displayName: 'carol', online: true }] });
    expect(await ask(alice, 'contact:request', { to: carol.userId, secret: null })).toEqual({ ok: true });
    await carol.next('contact:requested', (r) => r.from.userId === alice.userId);
    expect(await ask(carol, 'contact:answer', { to: alice.userId, accept: true })).toEqual({ ok: true });
    await alice.next('contact:answered', (a) => a.from.userId === carol.userId && a.accepted);
    expect(await ask(alice, 'contacts:set', { userIds: [carol.userId], strangerCalls: 'ring' })).toEqual({ ok: true });
    expect(await ask(carol, 'contacts:set', { userIds: [alice.userId], strangerCalls: 'ask' })).toEqual({ ok: true });
    alice.contacts = [carol.userId];
    carol.contacts = [alice.userId];
    await alice.next('presence:joined', (u) => u.userId === carol.userId);

    // A new device asks to be linked to Alice; her device certifies its key.
    const phone = await connectClient(server, { name: 'alice-phone' });
    const phoneKey = phone.identity.device.key;
    expect(await ask(phone, 'link:request', { to: alice.userId, secret: 'link-secret-0123456789', deviceKey: phoneKey })).toEqual({ ok: true });
    const asked = await alice.next('link:requested', (r) => r.deviceId === phone.deviceId);
    const deviceCert = await sign(alice.identity.user.pair.privateKey, alice.identity.user.alg, deviceCertMessage(alice.userId, asked.deviceKey));
    expect(
      await ask(alice, 'link:answer', { toDevice: phone.deviceId, accept: true, userKey: alice.identity.credential.userKey, deviceCert }),
    ).toEqual({ ok: true });
    expect(await phone.next('link:answered')).toEqual({ accepted: true, from: alice.userId, userKey: alice.identity.credential.userKey, deviceCert });
    phone.close();
    expect(await ask(carol, 'presence:status', { status: 'away' })).toEqual({ ok: true });
    await alice.next('presence:updated', (u) => u.userId === carol.userId && u.status === 'away');

    // Alice calls Bob, who rings on two devices; his desk answers, his tab stops ringing.
    const { desk, tab, callId } = await ringTwoDevices(server, alice);
    await ask(desk, 'call:accept', { callId, audio: true, video: false });
    await tab.next('call:ring-ended', (e) => e.callId === callId && e.reason === 'answered_elsewhere');

    // Carol is invited into the call and declines: the members learn the invite ended.
    await ask(alice, 'call:invite', { to: carol.userId, media: 'audio', callId });
    await carol.next('call:incoming', (c) => c.callId === callId);
    expect(await ask(carol, 'call:decline', { callId })).toEqual({ ok: true });
    await alice.next('call:invite-ended', (e) => e.callId === callId && e.reason === 'declined');

    await ask(alice, 'ice:servers', {});
    expect(await ask(alice, 'signal', { callId, to: desk.deviceId, data: offer() })).toEqual({ ok: true });
    await desk.next('signal', (s) => s.callId === callId);

    // Bob's desk connects again from elsewhere: the old socket is kicked, the new one welcomed into the call.
    const desk2 = await connectClient(server, { name: 'bob-desk-again', identity: desk.identity, contacts: desk.contacts });
    await desk.next('session:kicked');
    expect(desk2.welcome?.call?.callId).toBe(callId);
    const rejoinToken = rejoinTokenOf(desk2, callId);
    await ask(desk2, 'call:rejoin', { callId, media: 'audio', audio: true, video: false, rejoinToken });
    expect(await ask(alice, 'block:set', { userIds: [] })).toEqual({ ok: true });

    // Erin is invited, and the invite withdrawn before she answers.
    const erin = await connectClient(server, { name: 'erin' });
    await ask(alice, 'call:invite', { to: erin.userId, media: 'audio', callId });
    await erin.next('call:incoming', (c) => c.callId === callId);
    expect(await ask(alice, 'call:cancel', { callId, to: erin.userId })).toEqual({ ok: true });
    await erin.next('call:ring-ended', (e) => e.callId === callId && e.reason === 'cancelled');

    // Dave joins too, then Bob's desk leaves: a member left, and the call goes on.
    const dave = await connectClient(server, { name: 'dave' });
    await ask(alice, 'call:invite', { to: dave.userId, media: 'audio', callId });
    await dave.next('call:incoming', (c) => c.callId === callId);
    await ask(dave, 'call:accept', { callId, audio: true, video: false });
    expect(await ask(dave, 'call:media', { callId, audio: false, video: false })).toEqual({ ok: true });
    expect(await ask(desk2, 'call:leave', { callId })).toEqual({ ok: true });
    await dave.next('call:member-left', (e) => e.callId === callId && e.deviceId === desk.deviceId);
    expect(await ask(alice, 'call:leave', { callId })).toEqual({ ok: true });
    await dave.next('call:ended', (e) => e.callId === callId && e.reason === 'hangup');

    carol.close();
    await alice.next('presence:left', (e) => e.userId === carol.userId);
    await server.close();
    await alice.next('server:shutdown');

    const everyone = [alice, carol, phone, desk, tab, desk2, dave, erin];
    expect(everyone.flatMap(eventMismatches)).toEqual([]);
    expect(acks.flatMap((a) => ackMismatch(a) ?? [])).toEqual([]);
    expect(new Set(acks.map((a) => a.event))).toEqual(new Set(Object.keys(serverAckSchemas).filter((event) => !SFU_CLIENT_EVENTS.has(event))));
    const seen = new Set<ServerEventName>(everyone.flatMap((c) => c.received.map((r) => r.event)));
    expect(SERVER_EVENT_NAMES.filter((event) => !seen.has(event) && !SFU_SERVER_EVENTS.has(event))).toEqual([]);
  });
});
