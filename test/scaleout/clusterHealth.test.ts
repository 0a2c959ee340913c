/**
 * A cluster node's own health: /healthz, a clean handover of the coordinator
 * lease, and Redis being unreachable or restarting. Redis errors never end the
 * process (an unhandled rejection would fail this file).
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PREFIX } from '../../signaling-server/clusterRedis';
import { SERVER_VERSION } from '../../signaling-server/index';
import type { InterServerEvents } from '../../signaling-server/clusterProtocol';
import { PROTOCOL_VERSION } from '../../signaling-server/protocol';
import { cleanup, connectClient, connectRefused, establishCall, eventually, offer, rejoinTokenOf, startServer } from '../server/harness';
import { CLUSTER_SECRET, clusterReady, health, isCoordinator, startNodes } from './nodes';
import { openRedisLink, type RedisLink } from './redisLink';
import { freePort } from '../support/freePort';
import { makeIdentity } from '../support/testIdentity';
import { startRedis, type RedisServer } from './redisServer';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
let link: RedisLink | undefined;
afterEach(async () => {
  await cleanup();
  await link?.close();
  link = undefined;
});

/**
 * Node A straight on Redis (the coordinator), node B through a link the test can
 * cut; Alice on A and Bob on B are mutual contacts, in a call.
 */
async function nodeBehindLink() {
  const [a] = await startNodes(redis.url, 1, { rejoinGraceMs: 30_000 });
  if (!a) throw new Error('node A expected');
  link = await openRedisLink(redis.port);
  const b = await startServer({ redisUrl: link.url, membershipSecret: CLUSTER_SECRET, rejoinGraceMs: 30_000 });
  await clusterReady(b.url);
  const bobId = await makeIdentity();
  const alice = await connectClient(a, { name: 'alice', contacts: [bobId.userId] });
  const bob = await connectClient(b, { name: 'bob', identity: bobId, contacts: [alice.userId] });
  await alice.next('presence:joined', (u) => u.userId === bob.userId);
  const callId = await establishCall(alice, bob);
  return { a, b, link, alice, bob, callId };
}

describe('a clustered node', () => {
  it('reports its node id, Redis and whether it coordinates in /healthz', async () => {
    const [a, b] = await startNodes(redis.url, 2);
    if (!a || !b) throw new Error('two nodes expected');
    const [ha, hb] = await Promise.all([health(a.url), health(b.url)]);
    expect(ha).toEqual({
      status: 'ok',
      uptimeSeconds: expect.any(Number),
      usersOnline: 0,
      devicesOnline: 0,
      activeCalls: 0,
      version: SERVER_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      nodeId: expect.stringMatching(/^node-[A-Za-z0-9_-]{12}$/),
      cluster: { redis: 'connected', coordinator: true },
    });
    expect(hb).toMatchObject({ cluster: { redis: 'connected', coordinator: false } });
    expect(hb?.nodeId).not.toBe(ha?.nodeId);
  });

  it('hands the coordinator role over at once when it closes cleanly', async () => {
    const [a, b] = await startNodes(redis.url, 2);
    if (!a || !b) throw new Error('two nodes expected');
    const bobId = await makeIdentity();
    const alice = await connectClient(b, { name: 'alice', contacts: [bobId.userId] });
    const closedAt = performance.now();
    await a.close();
    await eventually(() => isCoordinator(b.url), 'node B becomes the coordinator');
    console.info(`[scale-out] clean shutdown: node B coordinator after ${((performance.now() - closedAt) / 1000).toFixed(2)} s`);
    // The new coordinator welcomes the sockets it found, and serves them.
    await alice.next('session:welcome', () => true);
    const bob = await connectClient(b, { name: 'bob', identity: bobId, contacts: [alice.userId] });
    expect(bob.welcome?.users.map((u) => u.userId)).toEqual([alice.userId]);
  });

  it('says Redis is disconnected and refuses sockets with a reason while Redis cannot be reached, and still closes', async () => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const node = await startServer({ redisUrl: nowhere });
    expect(await health(node.url)).toMatchObject({ status: 'ok', cluster: { redis: 'disconnected', coordinator: false } });
    expect(await connectRefused(node, { name: 'alice' })).toEqual({ code: 'internal', message: expect.stringContaining('Redis') });
    await node.close();
  });

  it('recovers when Redis restarts: a coordinator is elected again and calls are re-attached', async () => {
    const [a, b] = await startNodes(redis.url, 2, { rejoinGraceMs: 30_000 });
    if (!a || !b) throw new Error('two nodes expected');
    const alice = await connectClient(a, { name: 'alice' });
    const bob = await connectClient(b, { name: 'bob' });
    const callId = await establishCall(alice, bob);

    await redis.kill();
    await eventually(async () => (await health(a.url))?.cluster?.redis === 'disconnected', 'node A notices');
    await eventually(async () => !(await isCoordinator(a.url)), 'node A steps down');
    await redis.restart();
    await eventually(async () => (await isCoordinator(a.url)) || (await isCoordinator(b.url)), 'a coordinator again', 20_000);

    await alice.next('session:welcome', (w) => w.call === null, 15_000);
    await bob.next('session:welcome', (w) => w.call === null, 15_000);
    expect(await alice.request('call:rejoin', { callId, media: 'audio', audio: true, video: false, rejoinToken: rejoinTokenOf(alice, callId) })).toMatchObject({ ok: true });
    expect(await bob.request('call:rejoin', { callId, media: 'audio', audio: true, video: false, rejoinToken: rejoinTokenOf(bob, callId) })).toMatchObject({ ok: true });
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer() })).toEqual({ ok: true });
    expect(await bob.next('signal')).toMatchObject({ callId, from: alice.deviceId });
  });

  it('takes back the sockets of a node that was cut off from Redis: its user is seen again and the call re-attached', async () => {
    const { b, link, alice, bob, callId } = await nodeBehindLink();
    link.cut();
    await eventually(async () => (await health(b.url))?.cluster?.redis === 'disconnected', 'node B notices');
    // The coordinator's listings no longer include node B: Bob counts as gone.
    await alice.next('presence:left', (u) => u.userId === bob.userId, 15_000);
    link.restore();
    // Bob's socket never closed, so node B will not introduce it again: the coordinator has to find it.
    await bob.next('session:welcome', (w) => w.call?.callId === callId, 15_000);
    await alice.next('presence:joined', (u) => u.userId === bob.userId, 15_000);
    expect(await bob.request('signal', { callId, to: alice.deviceId, data: offer() })).toEqual({ ok: true });
    expect(await alice.next('signal')).toMatchObject({ callId, from: bob.deviceId });
  });

  it('welcomes the sockets of a node that reached Redis again only after the new coordinator listed the sockets', async () => {
    const { a, link, alice, bob, callId } = await nodeBehindLink();
    // A status Bob chose is kept on his socket, and comes back with it.
    expect(await bob.request('presence:status', { status: 'dnd' })).toEqual({ ok: true });
    // Node B stays out while Redis restarts, so the rebuild's listing cannot include it.
    link.cut();
    await redis.kill();
    await eventually(async () => !(await isCoordinator(a.url)), 'node A steps down');
    await redis.restart();
    await eventually(() => isCoordinator(a.url), 'node A coordinates again', 20_000);
    await alice.next('session:welcome', (w) => w.call === null, 15_000);
    link.restore();
    await bob.next('session:welcome', (w) => w.call === null && w.self.status === 'dnd' && w.users.some((u) => u.userId === alice.userId), 15_000);
    expect(await alice.next('presence:joined', (u) => u.userId === bob.userId)).toEqual({ userId: bob.userId, displayName: 'bob', status: 'dnd' });
    expect(await alice.request('call:rejoin', { callId, media: 'audio', audio: true, video: false, rejoinToken: rejoinTokenOf(alice, callId) })).toMatchObject({ ok: true });
    expect(await bob.request('call:rejoin', { callId, media: 'audio', audio: true, video: false, rejoinToken: rejoinTokenOf(bob, callId) })).toMatchObject({ ok: true });
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer() })).toEqual({ ok: true });
    expect(await bob.next('signal')).toMatchObject({ callId, from: alice.deviceId });
  });

  it('ignores what another node sends unless it parses, and acts only for sockets it registered', async () => {
    const [a, b] = await startNodes(redis.url, 2);
    if (!a || !b) throw new Error('two nodes expected');
    const alice = await connectClient(a, { name: 'alice' });
    const bob = await connectClient(b, { name: 'bob' });

    // A rogue "node": anything that can publish on the cluster's channels.
    const client = createClient({ url: redis.url });
    client.on('error', () => undefined);
    await client.connect();
    const rogue = new Server<Record<never, never>, Record<never, never>, InterServerEvents>();
    rogue.adapter(createAdapter(client, { streamName: `${KEY_PREFIX}socket.io`, channelPrefix: `${KEY_PREFIX}socket.io` }));
    try {
      await eventually(async () => (await rogue.of('/').adapter.serverCount()) === 3, 'the rogue node is subscribed');
      const party = { userId: alice.userId, deviceId: alice.deviceId, displayName: 'alice' };
      const profile = { userKey: alice.identity.credential.userKey, contacts: [bob.userId], strangerCalls: 'ring' as const };
      const malformed = await rogue.serverSideEmitWithAck('node:event', {
        nodeId: 'node-rogue-000',
        socketId: 'forged',
        party: { ...party, displayName: 'x'.repeat(500) },
        profile,
        event: 'call:invite',
        payload: { to: bob.userId, media: 'audio' },
      });
      expect(malformed).toEqual([{ handled: false }, { handled: false }]);
      const forged = await rogue.serverSideEmitWithAck('node:event', {
        nodeId: 'node-rogue-000',
        socketId: 'forged',
        party,
        profile,
        event: 'call:invite',
        payload: { to: bob.userId, media: 'audio' },
      });
      expect(forged).toContainEqual({
        handled: true,
        nodeId: (await health(a.url))?.nodeId,
        ack: { ok: false, error: { code: 'internal', message: expect.stringContaining('not registered') } },
      });
    } finally {
      // (Never attached to an HTTP server, so only its adapter needs closing.)
      await rogue.of('/').adapter.close();
      await client.close();
    }
    // Nothing happened: Bob never rang, and the real Alice still can call him.
    const invited = await alice.request('call:invite', { to: bob.userId, media: 'audio' });
    expect(invited).toMatchObject({ ok: true });
    await bob.next('call:incoming');
    expect(bob.all('call:incoming')).toHaveLength(1);
  });
});
