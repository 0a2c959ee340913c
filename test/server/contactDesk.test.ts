/**
 * The bounds of what the server holds for contact requests (contactDesk.ts), on
 * the real Presence and a clock the test moves: per target, per sender, by age.
 */
import { describe, expect, it } from 'vitest';
import { CONTACT_LIMITS, ContactDesk } from '../../signaling-server/contactDesk';
import { Presence } from '../../signaling-server/presence';
import { makeIdentity } from '../support/testIdentity';

const KEY = { alg: 'Ed25519', spki: 'A'.repeat(59) } as const;
const id = (label: string, n: number) => `${label}${String(n).padStart(12, '0')}`;

function setup() {
  let now = 1_000_000;
  const presence = new Presence<string>(() => false);
  const sent: { socket: string; event: string; payload: unknown }[] = [];
  const desk = new ContactDesk<string>(
    presence,
    {
      sendToMany: (sockets, event, ...args) => {
        for (const socket of sockets) sent.push({ socket, event, payload: args[0] });
      },
    },
    () => now,
  );
  const online = (userId: string) => {
    const party = { userId, deviceId: `${userId}-d`, displayName: userId };
    presence.connect(party, { userKey: KEY, contacts: [], strangerCalls: 'ask' }, `${userId}-socket`);
    return party;
  };
  return { desk, sent, online, later: (ms: number) => (now += ms) };
}

describe('pending contact requests', () => {
  it(`hold at most ${CONTACT_LIMITS.maxPerTarget} per target, refusing more the same way whoever the target is`, () => {
    const { desk, online } = setup();
    const target = id('target', 1);
    for (let i = 0; i < CONTACT_LIMITS.maxPerTarget; i++) expect(desk.request(online(id('sender', i)), { to: target, secret: null })).toEqual({ ok: true });
    expect(desk.request(online(id('late', 0)), { to: target, secret: null })).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(desk.pending).toBe(CONTACT_LIMITS.maxPerTarget);
  });

  it(`hold at most ${CONTACT_LIMITS.maxPerSender} per sender, and forget them after ${CONTACT_LIMITS.maxAgeMs / 86_400_000} days`, () => {
    const { desk, online, later } = setup();
    const sender = online(id('sender', 0));
    let accepted = 0;
    for (let i = 0; i < CONTACT_LIMITS.maxPerSender + 5; i++) {
      // Past the sender's rate limit: time passes between requests.
      later(60_000);
      if (desk.request(sender, { to: id('target', i), secret: null }).ok) accepted += 1;
    }
    expect(accepted).toBe(CONTACT_LIMITS.maxPerSender);
    expect(desk.request(sender, { to: id('another', 0), secret: null })).toMatchObject({ ok: false, error: { message: expect.stringContaining('waiting for an answer') } });
    later(CONTACT_LIMITS.maxAgeMs + 1);
    expect(desk.request(sender, { to: id('another', 0), secret: null })).toEqual({ ok: true });
    expect(desk.pending).toBe(1);
  });

  it('cannot be answered once expired, and are not delivered then', () => {
    const { desk, online, sent, later } = setup();
    const alice = online(id('alice', 0));
    expect(desk.request(alice, { to: id('bob', 0), secret: null })).toEqual({ ok: true });
    later(CONTACT_LIMITS.maxAgeMs + 1);
    const bob = online(id('bob', 0));
    desk.welcomed(bob.userId, 'bob-socket');
    expect(sent.filter((s) => s.event === 'contact:requested')).toEqual([]);
    expect(desk.answer(bob, { to: alice.userId, accept: true })).toMatchObject({ ok: false, error: { code: 'not_invited' } });
    expect(desk.pending).toBe(0);
  });
});

describe('link requests', () => {
  it("carry the asking device's own key: the id the server derives is the id its handshake proved", async () => {
    const { desk, online, sent } = setup();
    const [phone, other] = await Promise.all([makeIdentity(), makeIdentity()]);
    const alice = online(id('alice', 0));
    const asking = { userId: phone.userId, deviceId: phone.deviceId, displayName: 'Phone' };
    expect(desk.linkRequest(asking, { to: alice.userId, secret: 's'.repeat(22), deviceKey: other.device.key })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(desk.linkRequest(asking, { to: alice.userId, secret: 's'.repeat(22), deviceKey: phone.device.key })).toEqual({ ok: true });
    expect(sent).toEqual([{ socket: `${alice.userId}-socket`, event: 'link:requested', payload: expect.objectContaining({ deviceId: phone.deviceId }) }]);
  });
});
