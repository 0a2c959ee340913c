/**
 * The per-user device cap (options.maxDevicesPerUser), with real clients: refused
 * at the handshake (the client gets connect_error), a device already online may
 * always reconnect, and a place frees up when a device leaves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectClient, connectRefused, eventually, startServer } from './harness';
import { makeIdentity, makeUserKey } from '../support/testIdentity';

afterEach(cleanup);

describe('devices per user', () => {
  it('refuses the ninth device of one user by default with too_many_devices, telling them what to do', async () => {
    const server = await startServer();
    const user = await makeUserKey();
    for (let i = 0; i < 8; i++) await connectClient(server, { name: `bob-${i}`, identity: await makeIdentity({ user }), displayName: 'Bob' });
    expect(await connectRefused(server, { name: 'bob-8', identity: await makeIdentity({ user }), displayName: 'Bob' })).toEqual({
      code: 'too_many_devices',
      message: 'Bob already has 8 devices online, the most this server allows. Close Parley on one of them, then connect again.',
    });
    expect(server.stats().devicesOnline).toBe(8);
    // Other users are not affected.
    await connectClient(server, { name: 'alice' });
  });

  it('lets a device that is already online reconnect, and admits a new one once another has left', async () => {
    const server = await startServer({ maxDevicesPerUser: 2 });
    const desk = await connectClient(server, { name: 'desk' });
    const phone = await connectClient(server, { name: 'phone', sameUserAs: desk });
    expect(await connectRefused(server, { name: 'tablet', sameUserAs: desk })).toMatchObject({ code: 'too_many_devices' });
    // The desk again (a new socket of the same device, with a proof of its key) replaces the old one.
    const deskAgain = await connectClient(server, { name: 'desk-again', identity: desk.identity });
    expect(await desk.next('session:kicked')).toMatchObject({ code: 'invalid_identity' });
    phone.close();
    await eventually(() => server.stats().devicesOnline === 1, 'the phone is gone');
    await connectClient(server, { name: 'tablet', sameUserAs: desk });
    expect(deskAgain.disconnectReason).toBeNull();
  });
});
