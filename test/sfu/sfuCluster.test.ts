/**
 * SFU calls on a clustered Parley server (issue 17): two real parley-server
 * processes on one real redis-server, driving one real Janus (Debian's, on
 * loopback). The coordinator drives Janus; a client on the other node gets its
 * `sfu:*` acks through the gateway. Then the coordinator is SIGKILLed: the other
 * node takes over, the call comes back on the SFU in a new room with
 * `sfu:restart`, and the old room is destroyed (it would otherwise stay on Janus,
 * whose rooms outlive the session that made them). Janus's own VideoRoom API is
 * asked directly (with the admin key this test gives both Janus and Parley).
 * Times are printed, not asserted.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { WebSocketServer } from 'ws';
import { LATE_ACK_PATIENCE_MS } from '../../signaling-server/clusterGateway';
import { SFU_ROOMS_KEY } from '../../signaling-server/clusterRedis';
import { JanusConnection } from '../../signaling-server/sfu/janusClient';
import { VIDEOROOM } from '../../signaling-server/sfu/janusPool';
import { cleanup, connectClient, eventually, rejoinTokenOf, type TestClient } from '../server/harness';
import { isCoordinator, killNodeProcesses, startNodeProcess, startNodes, type NodeProcess } from '../scaleout/nodes';
import { startRedis, type RedisServer } from '../scaleout/redisServer';
import { startJanus, type JanusInstance } from '../support/janus';
import { eventMismatches } from '../support/schemaRoundTrip';

const ADMIN_KEY = 'parley-cluster-test-admin-key';
const WAIT_MS = 60_000;

/** The Parley rooms on a Janus (Debian's demo rooms 1234 and 5678 have other descriptions). */
async function parleyRooms(url: string): Promise<{ room: number; description: string }[]> {
  const connection = await JanusConnection.open(url);
  try {
    const handle = await connection.attach(VIDEOROOM, () => {});
    const answer = await connection.message(handle, { request: 'list', admin_key: ADMIN_KEY });
    const list = (answer.data.list ?? []) as { room: number; description: string }[];
    return list.filter((r) => r.description.startsWith('parley'));
  } finally {
    connection.close();
  }
}

/**
 * A WebRTC offer as a browser would make one (audio only), enough for Janus to
 * answer a publisher: no media ever flows in this test.
 */
function audioOffer(): { type: 'offer'; sdp: string } {
  const fingerprint = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).padStart(2, '0').toUpperCase()).join(':');
  const lines = [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS parley',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:Pq7x',
    'a=ice-pwd:Zm5vcGFybGV5dGVzdHB3ZDEyMzQ1',
    'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${fingerprint}`,
    'a=setup:actpass',
    'a=mid:0',
    'a=sendonly',
    'a=msid:parley audio0',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=ssrc:1001 cname:parleytest',
    'a=ssrc:1001 msid:parley audio0',
  ];
  return { type: 'offer', sdp: `${lines.join('\r\n')}\r\n` };
}

const elapsed = (since: number): string => `${((performance.now() - since) / 1000).toFixed(2)} s`;

describe('SFU calls on a cluster (real Redis, real Janus)', () => {
  let redis: RedisServer;
  let janus: JanusInstance;

  beforeAll(async () => {
    [redis, janus] = await Promise.all([startRedis(), startJanus({ adminKey: ADMIN_KEY })]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([redis?.stop(), janus?.stop()]);
  });
  afterEach(async () => {
    await cleanup();
    await killNodeProcesses();
  });

  it('the coordinator drives Janus for clients on both nodes; when it is killed, the call comes back in a new room with sfu:restart and the old room is destroyed', async () => {
    const janusArgs = ['--janus-url', janus.url, '--janus-admin-key', ADMIN_KEY];
    const a: NodeProcess = await startNodeProcess(redis.url, janusArgs);
    await eventually(() => isCoordinator(a.url), 'node A is the coordinator', 30_000);
    const b: NodeProcess = await startNodeProcess(redis.url, janusArgs);
    expect(await isCoordinator(b.url)).toBe(false);

    // Five people, spread over both nodes; the host is on B, which is not the coordinator.
    const at = [b, a, b, a, b];
    const everyone = await Promise.all(at.map((node, i) => connectClient(node.url, { name: `p${i}` })));
    const [host, ...guests] = everyone as [TestClient, ...TestClient[]];

    let callId: string | undefined;
    for (const [i, guest] of guests.entries()) {
      const invited = await host.request('call:invite', { to: guest.userId, media: 'video', ...(callId ? { callId } : {}) });
      if (!invited.ok) throw new Error(`inviting ${guest.name}: ${invited.error.code} ${invited.error.message}`);
      callId = invited.call.callId;
      // The 5th person's invite moves the call to the SFU; before it, a mesh.
      expect(invited.call.topology).toBe(i === 3 ? 'sfu' : 'mesh');
      await guest.next('call:incoming', (p) => p.callId === callId, WAIT_MS);
      const accepted = await guest.request('call:accept', { callId, audio: true, video: true });
      if (!accepted.ok) throw new Error(`${guest.name} accepting: ${accepted.error.code} ${accepted.error.message}`);
    }
    const id = callId as string;
    for (const member of everyone) {
      await member.next('call:updated', (p) => p.call.callId === id && p.call.topology === 'sfu' && p.call.members.length === 5, WAIT_MS);
    }

    let oldRoom = 0;
    await eventually(async () => {
      const rooms = await parleyRooms(janus.url);
      if (rooms.length !== 1) return false;
      oldRoom = (rooms[0] as { room: number }).room;
      return true;
    }, 'the call has one room on Janus', WAIT_MS);
    const [described] = await parleyRooms(janus.url);
    // Recognisable as a Parley room of this cluster: "parley:<tag> <call>".
    expect(described?.description).toMatch(new RegExp(`^parley:[A-Za-z0-9_-]{8} ${id.slice(0, 8)}$`));

    // From node B (not the coordinator): a publish gets Janus's answer back, a subscribe its ack.
    const onB = guests[1] as TestClient;
    const published = await onB.request('sfu:publish', { callId: id, feed: 'camera', description: audioOffer() });
    if (!published.ok) throw new Error(`sfu:publish from node B: ${published.error.code} ${published.error.message}`);
    expect(published.description.type).toBe('answer');
    expect(published.description.sdp).toMatch(/^v=0/);
    const subscribed = await (guests[3] as TestClient).request('sfu:subscribe', { callId: id });
    expect(subscribed.ok ? 'ok' : `${subscribed.error.code}: ${subscribed.error.message}`).toBe('ok');
    // An outsider on node B is refused, as on a single node.
    const outsider = await connectClient(b.url, { name: 'outsider' });
    const refused = await outsider.request('sfu:subscribe', { callId: id });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('not_in_call');

    // The coordinator dies without a word.
    const tokens = new Map(everyone.map((m) => [m.name, rejoinTokenOf(m, id)]));
    const killedAt = performance.now();
    await a.kill();
    await eventually(() => isCoordinator(b.url), 'node B takes over', 30_000);
    console.log(`node B coordinates ${elapsed(killedAt)} after node A was killed`);

    // A's people come back on B with the same keys; B's people are welcomed again by the new coordinator.
    const back = await Promise.all(
      everyone.map(async (member, i) => {
        if (at[i] === b) {
          await member.next('session:welcome', () => true, WAIT_MS);
          return member;
        }
        return connectClient(b.url, { name: `${member.name}-back`, identity: member.identity });
      }),
    );
    for (const [i, member] of back.entries()) {
      const token = tokens.get((everyone[i] as TestClient).name) as string;
      const rejoined = await member.request('call:rejoin', { callId: id, media: 'video', audio: true, video: true, rejoinToken: token });
      if (!rejoined.ok) throw new Error(`${member.name} could not rejoin: ${rejoined.error.code} ${rejoined.error.message}`);
      // Back on the SFU from the first rejoin: the call was there before the coordinator changed.
      expect(rejoined.call.topology).toBe('sfu');
    }
    for (const member of back) {
      const restart = await member.next('sfu:restart', (p) => p.callId === id, WAIT_MS);
      expect(restart.reason).toMatch(/coordinator/i);
    }
    console.log(`every member was told sfu:restart ${elapsed(killedAt)} after node A was killed`);

    // A new room for the call; the old one is gone from Janus's list.
    let rooms: { room: number; description: string }[] = [];
    await eventually(async () => {
      rooms = await parleyRooms(janus.url);
      return rooms.length === 1 && rooms[0]?.room !== oldRoom;
    }, 'the old room is destroyed and the call has a new one', WAIT_MS);
    expect(rooms.map((r) => r.room)).not.toContain(oldRoom);
    expect(rooms[0]?.description.endsWith(id.slice(0, 8))).toBe(true);

    // The new room serves: a publish from a member who came back from node A, a subscribe from one who stayed on B.
    const again = await (back[1] as TestClient).request('sfu:publish', { callId: id, feed: 'camera', description: audioOffer() });
    expect(again.ok ? again.description.type : `${again.error.code}: ${again.error.message}`).toBe('answer');
    const sub = await (back[2] as TestClient).request('sfu:subscribe', { callId: id });
    expect(sub.ok ? 'ok' : `${sub.error.code}: ${sub.error.message}`).toBe('ok');
    // Every SFU event sent through the cluster parses with its schema.
    expect(back.flatMap(eventMismatches)).toEqual([]);

    // The call ends: its room goes too.
    for (const member of back) await member.request('call:leave', { callId: id });
    await eventually(async () => (await parleyRooms(janus.url)).length === 0, 'the room of the ended call is destroyed', WAIT_MS);
  }, 300_000);

  it("a new coordinator also finds its cluster's unrecorded rooms by their description (admin key), and leaves another deployment's alone", async () => {
    const janusArgs = ['--janus-url', janus.url, '--janus-admin-key', ADMIN_KEY];
    const a = await startNodeProcess(redis.url, janusArgs);
    await eventually(() => isCoordinator(a.url), 'node A is the coordinator', 30_000);
    const b = await startNodeProcess(redis.url, janusArgs);
    const [host, guest] = (await Promise.all([connectClient(b.url, { name: 'host' }), connectClient(b.url, { name: 'guest' })])) as [TestClient, TestClient];
    await eventually(async () => {
      const ack = await host.request('call:invite', { to: guest.userId, media: 'audio', meeting: true });
      if (!ack.ok && ack.error.code === 'sfu_unavailable') return false;
      if (!ack.ok) throw new Error(`${ack.error.code} ${ack.error.message}`);
      return ack.call.topology === 'sfu';
    }, 'a meeting on the SFU', WAIT_MS);
    let ours = 0;
    await eventually(async () => {
      const rooms = await parleyRooms(janus.url);
      ours = rooms[0]?.room ?? 0;
      return rooms.length === 1;
    }, 'the meeting has a room on Janus', WAIT_MS);

    // Another deployment's room on the same Janus (another key, so another prefix).
    const { connection, handle } = await (async () => {
      const c = await JanusConnection.open(janus.url);
      return { connection: c, handle: await c.attach(VIDEOROOM, () => {}) };
    })();
    const foreign = 7_000_000 + Math.floor(Math.random() * 1_000_000);
    try {
      await connection.message(handle, {
        request: 'create',
        room: foreign,
        description: 'parley:AnOtherK something',
        secret: 'another-deployment',
        is_private: true,
        permanent: false,
        admin_key: ADMIN_KEY,
      });
      // The record of the meeting's room is lost (as if A died between creating it and writing it down).
      const client = createClient({ url: redis.url });
      await client.connect();
      try {
        await eventually(async () => (await client.exists(SFU_ROOMS_KEY)) === 1, 'the room is recorded in Redis', WAIT_MS);
        expect(await client.del(SFU_ROOMS_KEY)).toBe(1);
      } finally {
        client.destroy();
      }

      await a.kill();
      await eventually(() => isCoordinator(b.url), 'node B takes over', 30_000);
      await eventually(async () => !(await parleyRooms(janus.url)).some((r) => r.room === ours), "the unrecorded room of A's is destroyed", WAIT_MS);
      expect((await parleyRooms(janus.url)).map((r) => r.room)).toContain(foreign);
    } finally {
      await connection.message(handle, { request: 'destroy', room: foreign, secret: 'another-deployment', admin_key: ADMIN_KEY }).catch(() => undefined);
      connection.close();
    }
  }, 300_000);
});

/**
 * A Janus that takes every request but never finishes a publisher's join: it
 * answers sessions, handles and room management, and only `ack`s VideoRoom's
 * asynchronous requests (a real Janus cannot be made to stall on cue). Listens on
 * 127.0.0.1 with Janus's WebSocket subprotocol.
 */
async function stallingJanus(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'janus-protocol' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  let next = 1;
  server.on('connection', (socket) => {
    socket.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as { janus: string; transaction: string; body?: { request?: string; room?: number } };
      const reply = (extra: object): void => socket.send(JSON.stringify({ transaction: m.transaction, ...extra }));
      if (m.janus === 'create' || m.janus === 'attach') reply({ janus: 'success', data: { id: next++ } });
      else if (m.janus === 'keepalive' || m.janus === 'trickle') reply({ janus: 'ack' });
      else if (m.janus === 'detach') reply({ janus: 'success' });
      else if (m.janus === 'message' && ['create', 'destroy', 'list'].includes(m.body?.request ?? '')) {
        const data = m.body?.request === 'list' ? { videoroom: 'success', list: [] } : { videoroom: m.body?.request === 'create' ? 'created' : 'destroyed', room: m.body?.room };
        reply({ janus: 'success', plugindata: { plugin: VIDEOROOM, data } });
      } else reply({ janus: 'ack' }); // join, joinandconfigure, configure…: the event never comes
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

describe('SFU requests on a cluster whose Janus stalls', () => {
  let redis: RedisServer;
  let janus: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    [redis, janus] = await Promise.all([startRedis(), stallingJanus()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([redis?.stop(), janus?.close()]);
  });
  afterEach(cleanup);

  it('a request the media server never answers gets a clear sfu_failed, on the coordinator and through a gateway', async () => {
    const [first, second] = await startNodes(redis.url, 2, { janusUrls: [janus.url] });
    const onCoordinator = await connectClient(first?.url as string, { name: 'on-coordinator' });
    const onGateway = await connectClient(second?.url as string, { name: 'on-gateway' });
    let callId = '';
    await eventually(async () => {
      const ack = await onGateway.request('call:invite', { to: onCoordinator.userId, media: 'audio', meeting: true });
      // Until the coordinator has reached Janus, a meeting is refused: ask again.
      if (!ack.ok && ack.error.code === 'sfu_unavailable') return false;
      if (!ack.ok) throw new Error(`${ack.error.code} ${ack.error.message}`);
      callId = ack.call.callId;
      return ack.call.topology === 'sfu';
    }, 'a meeting on the SFU', WAIT_MS);
    await onCoordinator.next('call:incoming', (p) => p.callId === callId);
    expect((await onCoordinator.request('call:accept', { callId, audio: true, video: false })).ok).toBe(true);

    for (const client of [onGateway, onCoordinator]) {
      // Longer than the harness's 10 s request timeout: the server's own patience is what is tested.
      const emitter = client.socket.timeout(LATE_ACK_PATIENCE_MS + 15_000) as unknown as {
        emitWithAck(event: string, payload: unknown): Promise<{ ok: boolean; error?: { code: string; message: string } }>;
      };
      const started = performance.now();
      const ack = await emitter.emitWithAck('sfu:publish', { callId, feed: 'camera', description: audioOffer() });
      console.log(`${client.name}: sfu:publish refused after ${elapsed(started)}`);
      expect(ack.ok).toBe(false);
      expect(ack.error?.code).toBe('sfu_failed');
      expect(ack.error?.message).toMatch(/media server did not answer "sfu:publish"/);
    }
  }, 120_000);
});
