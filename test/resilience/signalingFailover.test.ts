/**
 * Client failover: the renderer's SignalingClient, given several server URLs, moves
 * to the next one after three failed attempts on the one it uses. Real servers on
 * 127.0.0.1, real socket.io.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SignalingClient, type ConnectionState } from '../../renderer/signaling/client';
import { createSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../signaling-server/index';
import { deviceIdentityOf } from '../support/rendererIdentity';
import { makeIdentity } from '../support/testIdentity';
import { waitFor } from '../unit/fakes/waitFor';

const WAIT_MS = 30_000;
const servers: SignalingServer[] = [];
const clients: SignalingClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: Partial<SignalingServerOptions> = {}): Promise<SignalingServer> {
  const server = await createSignalingServer({ host: '127.0.0.1', port: 0, logLevel: 'silent', ...options });
  servers.push(server);
  return server;
}

/** A URL where nothing listens: a port that was free a moment ago. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** The renderer's client with keys of its own; each (re)connection signs a proof for the server it dials. */
async function client(
  urls: string[],
  password = '',
  passwords?: string[],
): Promise<{ client: SignalingClient; states: ConnectionState[] }> {
  const c = new SignalingClient({
    urls,
    identity: deviceIdentityOf(await makeIdentity()),
    displayName: 'Fay',
    password,
    ...(passwords ? { passwords } : {}),
  });
  const states: ConnectionState[] = [];
  c.onState((s) => states.push(s));
  clients.push(c);
  c.start();
  return { client: c, states };
}

const onlineAt = (c: SignalingClient, url: string): boolean => {
  const s = c.getState();
  return s.phase === 'online' && s.url === url;
};

describe('signaling failover', () => {
  it('connects to the second server when the first does not answer', async () => {
    const dead = await deadUrl();
    const live = await serve();
    const { client: c, states } = await client([dead, live.url]);

    await waitFor(() => onlineAt(c, live.url), 'online on the second server', WAIT_MS);
    const failures = states.filter((s) => s.phase === 'reconnecting' && s.url === dead && s.lastError !== null);
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(live.stats().devicesOnline).toBe(1);
  });

  it('moves to the next server when its server goes away, and back around to the first when that one goes too', async () => {
    const a = await serve();
    const b = await serve();
    const { client: c } = await client([a.url, b.url]);
    await waitFor(() => onlineAt(c, a.url), 'online on the first server', WAIT_MS);

    const port = a.address.port;
    await a.close();
    await waitFor(() => onlineAt(c, b.url), 'online on the second server', WAIT_MS);

    const aAgain = await serve({ port });
    await b.close();
    await waitFor(() => onlineAt(c, aAgain.url), 'back on the first server', WAIT_MS);
    expect(aAgain.url).toBe(a.url);
    expect(aAgain.stats().devicesOnline).toBe(1);
  });

  it('sends each server its own password when it fails over', async () => {
    const a = await serve({ password: 'alpha-secret' });
    const b = await serve({ password: 'beta-secret' });
    const { client: c } = await client([a.url, b.url], 'alpha-secret', ['alpha-secret', 'beta-secret']);
    await waitFor(() => onlineAt(c, a.url), 'online on the first server', WAIT_MS);
    await a.close();
    await waitFor(() => onlineAt(c, b.url), 'online on the second server, with its own password', WAIT_MS);
    expect(b.stats().devicesOnline).toBe(1);
  });

  it('does not fail over from a refusal: a wrong password stops, and says so', async () => {
    const guarded = await serve({ password: 'right' });
    const open = await serve();
    const { client: c } = await client([guarded.url, open.url], 'wrong');

    await waitFor(() => c.getState().phase === 'refused', 'the refusal', WAIT_MS);
    expect(c.getState()).toMatchObject({ phase: 'refused', code: 'auth_failed', url: guarded.url });
    expect(open.stats().devicesOnline).toBe(0);
  });
});
