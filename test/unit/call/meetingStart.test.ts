/**
 * "Start as a meeting" (issue 17) without a media server: the engine asks the REAL
 * signaling server (no `--janus-url`) for a meeting, the server refuses it with
 * `sfu_unavailable` rather than making it a mesh, and the person reads why. The
 * welcome of such a server offers no meetings (the UI hides the button). The same
 * with Janus is test/sfu/meetingButton.browser.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import en from '../../../renderer/i18n/locales/en.json';
import { SignalingClient } from '../../../renderer/signaling/client';
import { createSignalingServer, type SignalingServer } from '../../../signaling-server/index';
import { waitFor } from '../fakes/waitFor';
import { enginePerson, identityOf, newDevice, newPerson } from './enginePerson';

let server: SignalingServer;
const cleanups: (() => void)[] = [];

beforeEach(async () => {
  server = await createSignalingServer({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server.close();
});

const PEOPLE = { Alice: await newPerson('Alice'), Bob: await newPerson('Bob'), Carol: await newPerson('Carol') };
const everyone = (): string[] => Object.values(PEOPLE).map((p) => p.userId);

async function online(displayName: keyof typeof PEOPLE) {
  const self = await newDevice(PEOPLE[displayName]);
  const client = new SignalingClient({ urls: [server.url], identity: identityOf(self), displayName, password: '', contacts: everyone });
  const person = enginePerson(client, self);
  cleanups.push(() => {
    person.engine.dispose();
    client.close();
  });
  client.start();
  await waitFor(() => client.getState().phase === 'online', `${displayName} is online`);
  return { ...person, client, ref: { userId: self.userId, displayName } };
}

describe('a meeting on a server without a media server', () => {
  it('is not offered by the welcome', async () => {
    const alice = await online('Alice');
    const state = alice.client.getState();
    expect(state.phase === 'online' ? state.welcome.limits.meetings : 'offline').toBeUndefined();
  });

  it('is refused with a clear reason; nothing rings, and a normal call then goes through', async () => {
    const alice = await online('Alice');
    const bob = await online('Bob');
    await alice.engine.call(bob.ref, 'video', { meeting: true });
    await waitFor(() => alice.phase() === 'ended', 'the dial ends');
    const ended = alice.view();
    expect(ended.phase === 'ended' ? { reason: ended.reason, detail: ended.detail } : ended.phase).toEqual({
      reason: 'failed',
      detail: en.engineErrors.noMeeting,
    });
    expect(bob.views.some((v) => v.phase === 'incoming')).toBe(false);

    alice.engine.dismiss();
    await alice.engine.call(bob.ref, 'video');
    await waitFor(() => bob.phase() === 'incoming', 'a normal call rings');
  });

  it('as "Add participant… as a meeting" in a running call is refused with the person’s name, and the call goes on', async () => {
    const alice = await online('Alice');
    const bob = await online('Bob');
    const carol = await online('Carol');
    await alice.engine.call(bob.ref, 'audio');
    await waitFor(() => bob.phase() === 'incoming', 'Bob rings');
    await bob.engine.accept({ video: false });
    await waitFor(() => alice.phase() === 'active' && bob.phase() === 'active', 'both in the call');

    await expect(alice.engine.invite(carol.ref, { meeting: true })).rejects.toThrow(
      en.engineErrors.noMeetingAdd.replace('{{name}}', 'Carol'),
    );
    expect(carol.views.some((v) => v.phase === 'incoming')).toBe(false);
    expect(alice.phase()).toBe('active');
    await alice.engine.invite(carol.ref, { meeting: false });
    await waitFor(() => carol.phase() === 'incoming', 'a plain invite rings');
  });
});
