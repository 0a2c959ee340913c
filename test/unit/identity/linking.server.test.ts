/**
 * Linking a second device, both halves through the renderer's own code (key store,
 * SignalingClient, linking.ts) against the REAL signaling server on a real port.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCredential } from '../../../signaling-server/identity';
import { createSignalingServer, type SignalingServer } from '../../../signaling-server/index';
import { i18n } from '../../../renderer/i18n';
import type { DeviceIdentity } from '../../../renderer/identity/deviceIdentity';
import { createKeyStore, type KeyStore } from '../../../renderer/identity/keyStore';
import {
  LINK_CODE_TTL_MS,
  LinkError,
  answerLink,
  linkThisDevice,
  newLinkCode,
  parseLinkCode,
  watchLinkRequests,
  type LinkCode,
  type LinkRequest,
} from '../../../renderer/identity/linking';
import { SignalingClient } from '../../../renderer/signaling/client';
import { waitFor } from '../fakes/waitFor';

let server: SignalingServer;
const cleanups: (() => void)[] = [];
let dbCounter = 0;

beforeEach(async () => {
  server = await createSignalingServer({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  await server.close();
});

const random = (bytes: Uint8Array<ArrayBuffer>) => crypto.getRandomValues(bytes);

/** A desktop device with its own key store (its own IndexedDB), online. */
async function device(displayName: string): Promise<{ keys: KeyStore; identity: DeviceIdentity; client: SignalingClient }> {
  const keys = createKeyStore({ indexedDB: true, subtle: crypto.subtle, secure: true, tab: null, dbName: `link-test-${(dbCounter += 1)}` });
  const { identity } = await keys.open();
  const client = new SignalingClient({ urls: [server.url], identity, displayName, password: '' });
  cleanups.push(() => {
    client.close();
    keys.close();
  });
  client.start();
  await waitFor(() => client.getState().phase === 'online', `${displayName} is online`);
  return { keys, identity, client };
}

describe('link codes', () => {
  it('reads back what it writes, ignoring spaces, and says what is wrong with a bad one', () => {
    const code = newLinkCode('AAAAAAAAAAAAAAAAAAAAAA', 0, random);
    expect(code.text).toMatch(/^parley-link:AAAAAAAAAAAAAAAAAAAAAA:[A-Za-z0-9_-]{22}$/);
    expect(code.expiresAt).toBe(LINK_CODE_TTL_MS);
    expect(parseLinkCode(` ${code.text.slice(0, 20)}\n${code.text.slice(20)} `)).toEqual({ userId: code.userId, secret: code.secret });
    expect(() => parseLinkCode('hello')).toThrow(/not a link code/);
    expect(() => parseLinkCode('parley-link:short:AAAAAAAAAAAAAAAAAAAAAA')).toThrow(/account part/);
    expect(() => parseLinkCode('parley-link:AAAAAAAAAAAAAAAAAAAAAA:abc')).toThrow(/secret part/);
  });

  it('says what is wrong with a code in Russian when the UI is Russian (issue 16.1)', async () => {
    await i18n.changeLanguage('ru');
    try {
      expect(() => parseLinkCode('hello')).toThrow(/^Это не код привязки\. Он начинается с «parley-link:»/);
      expect(() => parseLinkCode('parley-link:AAAAAAAAAAAAAAAAAAAAAA:abc')).toThrow('Секретная часть кода привязки повреждена или обрезана. Скопируйте код целиком ещё раз.');
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});

describe('linking a device (real server)', () => {
  it('the first device certifies the new one after asking; the new one checks, stores and signs in as the user', async () => {
    const first = await device('Ada laptop');
    const second = await device('Ada phone');
    let shown: LinkCode | null = newLinkCode(first.identity.userId, Date.now(), random);
    const asked: LinkRequest[] = [];
    const stop = watchLinkRequests(first.client, () => shown, Date.now, (request) => {
      asked.push(request);
      shown = null; // one use
      void answerLink(first.client, first.identity, request, true);
    });
    cleanups.push(stop);

    const linked = await linkThisDevice({ channel: second.client, identity: second.identity, keys: second.keys, code: (shown as LinkCode).text });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ deviceId: second.identity.deviceId, displayName: 'Ada phone' });
    expect(linked.userId).toBe(first.identity.userId);
    expect(linked.deviceId).toBe(second.identity.deviceId);
    expect(linked.canLink).toBe(false);
    expect(await checkCredential(linked.credential)).toEqual({ userId: first.identity.userId, deviceId: second.identity.deviceId });

    // It signs in as the user: the server accepts the new credential's proof.
    const again = new SignalingClient({ urls: [server.url], identity: linked, displayName: 'Ada phone', password: '' });
    cleanups.push(() => again.close());
    second.client.close();
    again.start();
    await waitFor(() => again.getState().phase === 'online', 'the linked device is online as the user');
    const state = again.getState();
    expect(state.phase === 'online' && state.welcome.self.userId).toBe(first.identity.userId);
    // And it stays that user after a restart.
    expect((await second.keys.open()).identity.userId).toBe(first.identity.userId);
  });

  it('a declined link says so in plain words and stores nothing', async () => {
    const first = await device('Ada laptop');
    const second = await device('Someone');
    const shown = newLinkCode(first.identity.userId, Date.now(), random);
    cleanups.push(watchLinkRequests(first.client, () => shown, Date.now, (request) => void answerLink(first.client, first.identity, request, false)));
    const failure = await linkThisDevice({ channel: second.client, identity: second.identity, keys: second.keys, code: shown.text }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LinkError);
    expect(failure).toMatchObject({ code: 'declined', message: expect.stringMatching(/declined there, or the code had expired/) });
    expect((await second.keys.open()).identity.userId).toBe(second.identity.userId);
  });

  it('an expired code is declined without asking; a request with a code this device did not issue is left alone', async () => {
    const first = await device('Ada laptop');
    const second = await device('Someone');
    let t = Date.now();
    const shown = newLinkCode(first.identity.userId, t, random);
    const asked: LinkRequest[] = [];
    cleanups.push(watchLinkRequests(first.client, () => shown, () => t, (request) => asked.push(request)));
    t += LINK_CODE_TTL_MS + 1;
    await expect(linkThisDevice({ channel: second.client, identity: second.identity, keys: second.keys, code: shown.text })).rejects.toMatchObject({ code: 'declined' });

    const other = newLinkCode(first.identity.userId, Date.now(), random);
    await expect(
      linkThisDevice({ channel: second.client, identity: second.identity, keys: second.keys, code: other.text, timeoutMs: 500 }),
    ).rejects.toMatchObject({ code: 'no_answer', message: expect.stringMatching(/did not answer/) });
    expect(asked).toEqual([]);
  });

  it('waiting can be cancelled: nothing is stored, and a late answer changes nothing', async () => {
    const first = await device('Ada laptop');
    const second = await device('Someone');
    const shown = newLinkCode(first.identity.userId, Date.now(), random);
    const asked: LinkRequest[] = [];
    cleanups.push(watchLinkRequests(first.client, () => shown, Date.now, (request) => asked.push(request)));
    const controller = new AbortController();
    const linking = linkThisDevice({ channel: second.client, identity: second.identity, keys: second.keys, code: shown.text, signal: controller.signal });
    await waitFor(() => asked.length === 1, 'the first device is asked');
    controller.abort();
    await expect(linking).rejects.toMatchObject({ code: 'cancelled' });
    await answerLink(first.client, first.identity, asked[0] as LinkRequest, true);
    expect((await second.keys.open()).identity.userId).toBe(second.identity.userId);
  });

  it('a certificate over another key is refused on the new device', async () => {
    const first = await device('Ada laptop');
    const second = await device('Someone');
    const third = await device('Another');
    const shown = newLinkCode(first.identity.userId, Date.now(), random);
    // A first device that certifies the wrong key (a bug or a lie) must not get the new device linked.
    cleanups.push(
      watchLinkRequests(first.client, () => shown, Date.now, (request) =>
        void answerLink(first.client, first.identity, { ...request, deviceKey: third.identity.credential.deviceKey }, true),
      ),
    );
    await expect(linkThisDevice({ channel: second.client, identity: second.identity, keys: second.keys, code: shown.text })).rejects.toMatchObject({
      code: 'invalid_answer',
    });
    expect((await second.keys.open()).identity.userId).toBe(second.identity.userId);
  });
});
