/**
 * The Parley server driving a real Janus (Debian's, started on loopback by
 * test/support/janus.ts): when a call moves to the SFU, who may use its room,
 * that the room really has a pin, that rooms go when calls end, and that a dead
 * instance's rooms move to another with `sfu:restart`. Janus's own VideoRoom API
 * is asked directly (with the admin key this test gives both Janus and Parley),
 * never Parley's internals.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JanusConnection, JanusError } from '../../signaling-server/sfu/janusClient';
import { VIDEOROOM } from '../../signaling-server/sfu/janusPool';
import { startJanus, type JanusInstance } from '../support/janus';
import { cleanup, connectClient, eventually, rejoinTokenOf, startServer, type TestClient } from '../server/harness';
import { eventMismatches } from '../support/schemaRoundTrip';

const ADMIN_KEY = 'parley-test-admin-key';
const WAIT_MS = 30_000;

/** A direct VideoRoom handle on a Janus, as an operator (or an attacker on Janus's network) would have. */
async function videoroom(url: string): Promise<{ connection: JanusConnection; handle: number }> {
  const connection = await JanusConnection.open(url);
  const handle = await connection.attach(VIDEOROOM, () => {});
  return { connection, handle };
}

async function roomIds(url: string): Promise<number[]> {
  const { connection, handle } = await videoroom(url);
  try {
    const answer = await connection.message(handle, { request: 'list', admin_key: ADMIN_KEY });
    const list = (answer.data.list ?? []) as { room: number; pin_required?: boolean }[];
    // Debian's stock config ships two demo rooms (1234, 5678): only Parley's are wanted.
    return list.map((r) => r.room).filter((id) => id !== 1234 && id !== 5678);
  } finally {
    connection.close();
  }
}

async function people(server: { url: string }, n: number): Promise<TestClient[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => connectClient(server.url, { name: `p${i}` })));
}

/** `host` invites each of `guests` into one call (the first invite creates it); all accept. */
async function groupCall(host: TestClient, guests: TestClient[], meeting = false): Promise<string> {
  let callId: string | undefined;
  for (const guest of guests) {
    const ack = await host.request('call:invite', { to: guest.userId, media: 'video', ...(callId ? { callId } : {}), ...(meeting ? { meeting } : {}) });
    if (!ack.ok) throw new Error(`inviting ${guest.name}: ${ack.error.code} ${ack.error.message}`);
    callId = ack.call.callId;
    await guest.next('call:incoming', (p) => p.callId === callId);
    const accepted = await guest.request('call:accept', { callId, audio: true, video: true });
    if (!accepted.ok) throw new Error(`${guest.name} accepting: ${accepted.error.code}`);
  }
  return callId as string;
}

describe('SFU placement and access (real Janus)', () => {
  let janus: JanusInstance;
  let spare: JanusInstance;

  beforeAll(async () => {
    [janus, spare] = await Promise.all([startJanus({ adminKey: ADMIN_KEY }), startJanus({ adminKey: ADMIN_KEY })]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([janus?.stop(), spare?.stop()]);
  });
  afterEach(cleanup);

  it('a call without Janus stays a mesh: the 5th invite is refused and sfu:* are unavailable', async () => {
    const server = await startServer();
    const [host, ...guests] = await people(server, 5);
    const callId = await groupCall(host as TestClient, guests.slice(0, 3));
    const fifth = await (host as TestClient).request('call:invite', { to: (guests[3] as TestClient).userId, media: 'video', callId });
    expect(fifth.ok ? 'ok' : fifth.error.code).toBe('call_full');
    const meeting = await (guests[3] as TestClient).request('call:invite', { to: (guests[0] as TestClient).userId, media: 'video', meeting: true });
    expect(meeting.ok ? 'busy' : meeting.error.code).toBe('busy'); // guests[0] is in the call; a meeting is no way around it
    const sub = await (host as TestClient).request('sfu:subscribe', { callId });
    expect(sub.ok ? 'ok' : sub.error.code).toBe('sfu_unavailable');
    const updates = (host as TestClient).all('call:updated', (p) => p.call.callId === callId);
    expect(updates.every((u) => u.call.topology === 'mesh' && u.call.maxParticipants === 4)).toBe(true);
  });

  it('the welcome says whether meetings can start; a meeting without a media server is refused, not made a mesh', async () => {
    const plain = await startServer();
    const [a, b] = (await people(plain, 2)) as [TestClient, TestClient];
    expect(a.welcome?.limits.meetings).toBeUndefined();
    const refused = await a.request('call:invite', { to: b.userId, media: 'video', meeting: true });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('sfu_unavailable');
    expect(refused.ok ? '' : refused.error.message).toMatch(/meeting/i);
    // Nothing rang, and the refusal cost nothing: a normal call to the same person goes through.
    const normal = await a.request('call:invite', { to: b.userId, media: 'video' });
    expect(normal.ok ? normal.call.topology : normal.error.code).toBe('mesh');

    const withJanus = await startServer({ janusUrls: [janus.url], janusAdminKey: ADMIN_KEY });
    const [c] = (await people(withJanus, 1)) as [TestClient];
    expect(c.welcome?.limits.meetings).toBe(true);
  });

  it('the 5th invitee moves the call to the SFU; members are told; a private room with a pin appears on Janus', async () => {
    const server = await startServer({ janusUrls: [janus.url], janusAdminKey: ADMIN_KEY });
    const before = await roomIds(janus.url);
    const [host, ...guests] = (await people(server, 6)) as [TestClient, ...TestClient[]];
    // Wait until the server is connected to Janus (it connects in the background).
    const callId = await groupCall(host, guests.slice(0, 3));
    expect(host.all('call:updated', (p) => p.call.callId === callId).every((u) => u.call.topology === 'mesh')).toBe(true);
    const fifth = guests[3] as TestClient;
    const ack = await host.request('call:invite', { to: fifth.userId, media: 'video', callId });
    if (!ack.ok) throw new Error(`${ack.error.code} ${ack.error.message}`);
    expect(ack.call.topology).toBe('sfu');
    expect(ack.call.maxParticipants).toBe(16);
    for (const member of [host, ...guests.slice(0, 3)]) {
      await member.next('call:updated', (p) => p.call.callId === callId && p.call.topology === 'sfu', WAIT_MS);
    }
    let created: number[] = [];
    await eventually(async () => {
      created = (await roomIds(janus.url)).filter((id) => !before.includes(id));
      return created.length === 1;
    }, 'the call has a room on Janus', WAIT_MS);
    const roomId = created[0] as number;

    // The room really has a pin: joining it directly without it, or with a wrong one, is refused.
    const { connection, handle } = await videoroom(janus.url);
    try {
      for (const pin of [undefined, 'wrong-pin']) {
        const join = connection.message(handle, { request: 'join', ptype: 'publisher', room: roomId, ...(pin ? { pin } : {}) }, { awaitEvent: true });
        await expect(join).rejects.toBeInstanceOf(JanusError);
        await expect(join).rejects.toThrow(/pin|unauthorized|not allowed/i);
      }
    } finally {
      connection.close();
    }

    // A device that is not in the call is refused every SFU request.
    const outsider = guests[4] as TestClient;
    const sub = await outsider.request('sfu:subscribe', { callId });
    expect(sub.ok ? 'ok' : sub.error.code).toBe('not_in_call');
    const pub = await outsider.request('sfu:publish', { callId, feed: 'camera', description: { type: 'offer', sdp: 'v=0\r\n' } });
    expect(pub.ok ? 'ok' : pub.error.code).toBe('not_in_call');
    const layer = await outsider.request('sfu:layer', { callId, mid: '0', substream: 0 });
    expect(layer.ok ? 'ok' : layer.error.code).toBe('not_in_call');

    // The call ends (everyone hangs up): its room is destroyed.
    await fifth.next('call:incoming', (p) => p.callId === callId);
    await fifth.request('call:decline', { callId });
    for (const member of [host, ...guests.slice(0, 3)]) await member.request('call:leave', { callId });
    await eventually(async () => !(await roomIds(janus.url)).includes(roomId), 'the room is destroyed on Janus', WAIT_MS);
  });

  it('a meeting is on the SFU from its first invite; a mesh call of two is refused sfu:*', async () => {
    const server = await startServer({ janusUrls: [janus.url], janusAdminKey: ADMIN_KEY });
    const [a, b, c, d] = (await people(server, 4)) as [TestClient, TestClient, TestClient, TestClient];
    await eventually(async () => {
      // The server connects to Janus in the background: a meeting before that is a mesh call.
      const probe = await a.request('call:invite', { to: b.userId, media: 'video', meeting: true });
      // Until the server has reached Janus, a meeting is refused (never made a mesh): ask again.
      if (!probe.ok && probe.error.code === 'sfu_unavailable') return false;
      if (!probe.ok) throw new Error(`${probe.error.code} ${probe.error.message}`);
      if (probe.call.topology === 'sfu') return true;
      await a.request('call:leave', { callId: probe.call.callId });
      await b.next('call:ring-ended', (p) => p.callId === probe.call.callId);
      return false;
    }, 'a meeting starts on the SFU', WAIT_MS);
    const mesh = await groupCall(c, [d]);
    const sub = await c.request('sfu:subscribe', { callId: mesh });
    expect(sub.ok ? 'ok' : sub.error.code).toBe('sfu_unavailable');
  });

  it('a call of 5 rebuilt after a server restart moves to the SFU again as its members rejoin', async () => {
    const membershipSecret = 'an-sfu-test-secret-of-32-characters!';
    const first = await startServer({ janusUrls: [janus.url], janusAdminKey: ADMIN_KEY, membershipSecret });
    const everyone = (await people(first, 5)) as [TestClient, ...TestClient[]];
    const [host, ...guests] = everyone;
    const callId = await groupCall(host, guests);
    for (const member of everyone) await member.next('call:updated', (p) => p.call.callId === callId && p.call.topology === 'sfu' && p.call.members.length === 5, WAIT_MS);
    const tokens = everyone.map((member) => rejoinTokenOf(member, callId));
    await first.close();

    const second = await startServer({ janusUrls: [janus.url], janusAdminKey: ADMIN_KEY, membershipSecret });
    const back = await Promise.all(everyone.map((member) => connectClient(second.url, { name: `${member.name}-back`, identity: member.identity })));
    const topologies: string[] = [];
    await eventually(async () => {
      // The new server reaches Janus in the background; until then a rebuilt call of 5 has no room.
      const probe = await (back[0] as TestClient).request('call:rejoin', { callId, media: 'video', audio: true, video: true, rejoinToken: tokens[0] as string });
      return probe.ok;
    }, 'the first member rejoins', WAIT_MS);
    for (const [i, member] of back.entries()) {
      if (i === 0) continue;
      const rejoined = await member.request('call:rejoin', { callId, media: 'video', audio: true, video: true, rejoinToken: tokens[i] as string });
      if (!rejoined.ok) throw new Error(`${member.name} could not rejoin: ${rejoined.error.code} ${rejoined.error.message}`);
      topologies.push(`${rejoined.call.members.length}:${rejoined.call.topology}`);
    }
    // The rebuilt call cannot know it was on the SFU until it outgrows a mesh: the 5th rejoin moves it there.
    expect(topologies.at(-1)).toBe('5:sfu');
  });

  it('works with a Janus that has an API secret; a wrong secret is refused by Janus', async () => {
    const guarded = await startJanus({ apiSecret: 'janus-api-secret', adminKey: ADMIN_KEY });
    try {
      await expect(JanusConnection.open(guarded.url, { apiSecret: 'wrong' })).rejects.toThrow(/unauthori[sz]ed/i);
      await expect(JanusConnection.open(guarded.url)).rejects.toThrow(/unauthori[sz]ed/i);
      const server = await startServer({ janusUrls: [guarded.url], janusSecret: 'janus-api-secret', janusAdminKey: ADMIN_KEY });
      const [a, b] = (await people(server, 2)) as [TestClient, TestClient];
      await eventually(async () => {
        const ack = await a.request('call:invite', { to: b.userId, media: 'audio', meeting: true });
        // Until the server has reached Janus, a meeting is refused (never made a mesh): ask again.
        if (!ack.ok && ack.error.code === 'sfu_unavailable') return false;
        if (!ack.ok) throw new Error(`${ack.error.code} ${ack.error.message}`);
        if (ack.call.topology === 'sfu') return true;
        await a.request('call:leave', { callId: ack.call.callId });
        await b.next('call:ring-ended', (p) => p.callId === ack.call.callId);
        return false;
      }, 'a meeting on the SFU behind an API secret', WAIT_MS);
    } finally {
      await guarded.stop();
    }
  });

  it('a Janus instance dies: its rooms move to another instance and the members get sfu:restart', async () => {
    const doomed = await startJanus({ adminKey: ADMIN_KEY });
    try {
      // The doomed instance first, so that the least loaded (both empty) is it.
      const server = await startServer({ janusUrls: [doomed.url, spare.url], janusAdminKey: ADMIN_KEY });
      const [a, b] = (await people(server, 2)) as [TestClient, TestClient];
      const spareBefore = await roomIds(spare.url);
      let callId = '';
      await eventually(async () => {
        const ack = await a.request('call:invite', { to: b.userId, media: 'video', meeting: true });
        // Until the server has reached Janus, a meeting is refused (never made a mesh): ask again.
        if (!ack.ok && ack.error.code === 'sfu_unavailable') return false;
        if (!ack.ok) throw new Error(`${ack.error.code} ${ack.error.message}`);
        callId = ack.call.callId;
        if (ack.call.topology === 'sfu' && (await roomIds(doomed.url)).length === 1) return true;
        await a.request('call:leave', { callId });
        await b.next('call:ring-ended', (p) => p.callId === callId);
        return false;
      }, 'a meeting whose room is on the first instance', WAIT_MS);
      await b.next('call:incoming', (p) => p.callId === callId);
      const accepted = await b.request('call:accept', { callId, audio: true, video: true });
      expect(accepted.ok).toBe(true);

      await doomed.kill();
      for (const member of [a, b]) {
        const restart = await member.next('sfu:restart', (p) => p.callId === callId, WAIT_MS);
        expect(restart.reason).toMatch(/media server/i);
      }
      await eventually(async () => (await roomIds(spare.url)).length > spareBefore.length, 'the room is recreated on the other instance', WAIT_MS);
      // The moved room serves requests: subscribing works (no feeds yet, so no offer).
      const sub = await a.request('sfu:subscribe', { callId });
      expect(sub.ok ? 'ok' : `${sub.error.code}: ${sub.error.message}`).toBe('ok');
      // sfu:restart (and everything else sent here) parses with its schema, unchanged.
      expect([a, b].flatMap(eventMismatches)).toEqual([]);
    } finally {
      await doomed.stop();
    }
  });
});
