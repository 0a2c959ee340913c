/**
 * The Host allowlist (issue 10, item 9, the server's half): against DNS
 * rebinding, requests and WebSocket upgrades for any other host name are refused
 * before anything else sees them, /healthz included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling-server/index';
import { cleanup, connectClient, connectRefused, expectHonestCallWorks, startServer } from './harness';
import { rawRequest, WS_PATH } from './rawHttp';

afterEach(cleanup);

const ask = (server: SignalingServer, path: string, host: string, upgrade = false) => rawRequest(server, path, { Host: host }, upgrade);

describe('the Host allowlist', () => {
  it('answers 421 with what to do for another host name, on /healthz and on WebSocket upgrades', async () => {
    const server = await startServer({ allowedHosts: ['localhost', '127.0.0.1'] });
    const health = await ask(server, '/healthz', 'evil.example');
    expect(health.status).toBe(421);
    expect(health.body).toContain('"evil.example"');
    expect(health.body).toContain('--allowed-host');
    const upgrade = await ask(server, WS_PATH, `evil.example:${server.address.port}`, true);
    expect(upgrade).toMatchObject({ status: 421, upgraded: false });
    expect(upgrade.body).toContain('evil.example');
  });

  it('serves the listed hosts, with or without a port', async () => {
    const server = await startServer({ allowedHosts: ['localhost', '127.0.0.1'] });
    expect((await ask(server, '/healthz', `localhost:${server.address.port}`)).status).toBe(200);
    expect((await ask(server, '/healthz', '127.0.0.1')).status).toBe(200);
    expect(await ask(server, WS_PATH, `LOCALHOST:${server.address.port}`, true)).toMatchObject({ upgraded: true });
    // socket.io-client sends Host: 127.0.0.1:<port>.
    await expectHonestCallWorks(server);
  });

  it('refuses a socket.io client that connects by another name, and keeps serving the others', async () => {
    const server = await startServer({ allowedHosts: ['localhost'] });
    const refused = await connectRefused(server, { name: 'rebound' }).catch((err: Error) => err.message);
    expect(refused).toMatch(/refused without a code/);
    const host = `localhost:${server.address.port}`;
    // The proof names the host as dialled, which the server checks against the Host header.
    const ok = await connectClient(server, { name: 'by-name', headers: { host }, proofHost: host });
    expect(ok.welcome).not.toBeNull();
  });

  it('accepts any host when no list is given', async () => {
    const server = await startServer();
    expect((await ask(server, '/healthz', 'anything.example')).status).toBe(200);
    expect(await ask(server, WS_PATH, 'anything.example', true)).toMatchObject({ upgraded: true });
  });
});
