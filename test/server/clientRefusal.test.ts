/**
 * The honest client (the renderer's SignalingClient, run in Node against a real
 * server) after a per-address refusal: it shows the server's words and stops —
 * no reconnection loop that would spend the address's allowance — and a retry
 * connects once the address is under its limits again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SignalingClient, type ConnectionState } from '../../renderer/signaling/client';
import { newDeviceIdentity } from '../support/rendererIdentity';
import { cleanup, connectClient, eventually, startServer } from './harness';

const clients: SignalingClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await cleanup();
});

async function honestClient(url: string): Promise<{ client: SignalingClient; states: ConnectionState[] }> {
  const { identity } = await newDeviceIdentity();
  const client = new SignalingClient({ urls: [url], identity, displayName: 'Honest', password: '' });
  clients.push(client);
  const states: ConnectionState[] = [];
  client.onState((s) => states.push(s));
  client.start();
  return { client, states };
}

describe('the honest client refused for its address', () => {
  it('shows too_many_connections with the server message, does not retry by itself, and connects on a retry', async () => {
    const server = await startServer({
      limitLoopback: true,
      addressLimits: { maxConnections: 1, connectionsPerMinute: 1_000, connectionBurst: 1_000, failedHandshakesPerMinute: 1_000 },
    });
    const occupant = await connectClient(server, { name: 'occupant' });
    const first = await honestClient(server.url);
    await eventually(() => first.client.getState().phase === 'refused', 'the client shows the refusal');
    expect(first.client.getState()).toMatchObject({ phase: 'refused', code: 'too_many_connections', message: expect.stringContaining('at most 1') });

    occupant.close();
    await eventually(() => server.stats().devicesOnline === 0, 'the occupant left');
    // A client that kept reconnecting would now get in; this one waits to be asked.
    const second = await honestClient(server.url);
    await eventually(() => second.client.getState().phase === 'online', 'a fresh client connects');
    expect(first.client.getState().phase).toBe('refused');
    expect(first.states.filter((s) => s.phase === 'reconnecting')).toEqual([]);
  });
});
