/**
 * TURN credentials end to end: the signaling server hands out TURN REST
 * credentials ('ice:servers'), and a real coturn relays for them, and only for
 * them: a forged or expired credential is refused. Checked with a TURN Allocate
 * request (RFC 5766 §6) sent straight to coturn. Credentials go only to devices
 * in a call (or ringing for one), so Tess first rings someone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalingClient } from '../../renderer/signaling/client';
import { createSignalingServer, type SignalingServer } from '../../signaling-server/index';
import { turnRestCredential } from '../../signaling-server/turnCredentials';
import { cleanup as closeTestClients, connectClient } from '../server/harness';
import { deviceIdentityOf } from '../support/rendererIdentity';
import { makeIdentity, type TestIdentity } from '../support/testIdentity';
import { waitFor } from '../unit/fakes/waitFor';
import { startCoturn, stopCoturns, type Coturn } from './coturn';
import { allocate } from './stun';

let coturn: Coturn;
let server: SignalingServer;
let client: SignalingClient;
/** Tess's keys: the TURN username carries her userId, derived from them. */
let tess: TestIdentity;

beforeAll(async () => {
  coturn = await startCoturn('shared-secret-for-tests');
  server = await createSignalingServer({
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    turn: { urls: [coturn.url], secret: coturn.secret, ttlSeconds: 600 },
  });
  tess = await makeIdentity();
  client = new SignalingClient({ urls: [server.url], identity: deviceIdentityOf(tess), displayName: 'Tess', password: '' });
  client.start();
  await waitFor(() => client.getState().phase === 'online', 'online', 20_000);
  const callee = await connectClient(server, { name: 'callee' });
  // SignalingClient.request rejects on a refusal.
  await client.request('call:invite', { to: callee.userId, media: 'audio' });
});

afterAll(async () => {
  client?.close();
  await closeTestClients();
  await server?.close();
  await stopCoturns();
});

async function handedOut(): Promise<{ username: string; credential: string }> {
  const { iceServers, ttlSeconds } = await client.request('ice:servers', {});
  // The expiry is rounded up to the next 5 minutes (turnCredentials.ts).
  expect(ttlSeconds).toBeGreaterThanOrEqual(600);
  expect(ttlSeconds).toBeLessThanOrEqual(900);
  const turn = iceServers.find((s) => s.urls.includes(coturn.url));
  if (!turn?.username || !turn.credential) throw new Error(`no TURN credential in ${JSON.stringify(iceServers)}`);
  return { username: turn.username, credential: turn.credential };
}

describe('TURN credentials', () => {
  it('coturn relays for the credential the signaling server hands out', async () => {
    const { username, credential } = await handedOut();
    expect(username).toBe(`${username.split(':')[0]}:${tess.userId}`);
    expect(username).toMatch(/^\d+:/);
    expect(await allocate(coturn.port, username, credential)).toEqual({ ok: true, relayed: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });

  it('refuses a forged credential (signed with another secret)', async () => {
    const { username } = await handedOut();
    const forged = turnRestCredential('not-the-secret', tess.userId, Number(username.split(':')[0]));
    expect(forged.username).toBe(username);
    expect(await allocate(coturn.port, username, forged.credential)).toEqual({ ok: false, code: 401 });
  });

  it('refuses an expired credential, even one signed with the right secret', async () => {
    const expired = turnRestCredential(coturn.secret, tess.userId, Math.floor(Date.now() / 1000) - 60);
    expect(await allocate(coturn.port, expired.username, expired.credential)).toEqual({ ok: false, code: 401 });
  });

  it('refuses a credential whose expiry was pushed out without a new signature', async () => {
    const { username, credential } = await handedOut();
    const stretched = `${Number(username.split(':')[0]) + 86_400}:${tess.userId}`;
    expect(await allocate(coturn.port, stretched, credential)).toEqual({ ok: false, code: 401 });
  });
});
