/**
 * The RTC configuration of new peer connections: TURN credentials refreshed before
 * they expire, and relay-only when the person asked to hide their IP address.
 */
import { describe, expect, it } from 'vitest';
import { createRtcConfigSource, RelayUnavailableError, reuseWindowMs, type IceServersAnswer } from '../../../renderer/call/rtcConfig';

const TURN = { urls: ['turn:turn.example:3478?transport=udp'], username: '1700000000:user', credential: 'c1' };
const STUN = { urls: ['stun:stun.example:3478'] };

function source(answers: (IceServersAnswer | Error)[], relayOnly = false, takesOffered = true) {
  let clock = 0;
  let relay = relayOnly;
  const asked: number[] = [];
  const config = createRtcConfigSource({
    fetch: async () => {
      asked.push(clock);
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      if (next instanceof Error) throw next;
      return next;
    },
    now: () => clock,
    relayOnly: () => relay,
    takesOffered,
  });
  return {
    config,
    asked,
    at: (ms: number) => (clock = ms),
    setRelay: (on: boolean) => (relay = on),
  };
}

describe('RTC configuration', () => {
  it('keeps a margin before the credentials expire: a fifth of the TTL, at least a minute, at most half', () => {
    expect(reuseWindowMs(3600)).toBe(2880_000);
    expect(reuseWindowMs(600)).toBe(480_000);
    expect(reuseWindowMs(60)).toBe(30_000);
    expect(reuseWindowMs(0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('reuses the servers while the credentials are fresh, and asks again before they expire', async () => {
    const s = source([
      { iceServers: [STUN, TURN], ttlSeconds: 3600 },
      { iceServers: [STUN, { ...TURN, credential: 'c2' }], ttlSeconds: 3600 },
    ]);
    expect(await s.config.get()).toEqual({ iceServers: [STUN, TURN] });
    s.at(2879_000);
    expect(await s.config.get()).toEqual({ iceServers: [STUN, TURN] });
    expect(s.asked).toEqual([0]);
    s.at(2880_000);
    expect(await s.config.get()).toEqual({ iceServers: [STUN, { ...TURN, credential: 'c2' }] });
    expect(s.asked).toEqual([0, 2880_000]);
  });

  it('asks once for sessions opened at the same moment', async () => {
    const s = source([{ iceServers: [TURN], ttlSeconds: 600 }]);
    const [a, b, c] = await Promise.all([s.config.get(), s.config.get(), s.config.get()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(s.asked).toHaveLength(1);
  });

  it('a new call asks again (reset), and an answer to a request made before the reset is not kept', async () => {
    const s = source([
      { iceServers: [TURN], ttlSeconds: 600 },
      { iceServers: [{ ...TURN, credential: 'c2' }], ttlSeconds: 600 },
    ]);
    const early = s.config.get();
    s.config.reset();
    await early;
    expect(await s.config.get()).toEqual({ iceServers: [{ ...TURN, credential: 'c2' }] });
    expect(s.asked).toHaveLength(2);
  });

  it('warm() asks ahead: the first get() finds it done; a failed warm-up is asked again by get(), never used', async () => {
    const s = source([{ iceServers: [TURN], ttlSeconds: 600 }]);
    s.config.warm();
    s.config.warm();
    expect(await s.config.get()).toEqual({ iceServers: [TURN] });
    expect(s.asked).toHaveLength(1);

    const refused = source([new Error('not_in_call'), { iceServers: [TURN], ttlSeconds: 600 }]);
    refused.config.warm();
    expect(await refused.config.get()).toEqual({ iceServers: [TURN] });
    expect(refused.asked).toHaveLength(2);
  });

  it('keeps the last servers when a refresh fails, and falls back to host candidates when there were none', async () => {
    const s = source([{ iceServers: [TURN], ttlSeconds: 600 }, new Error('offline'), new Error('offline')]);
    expect(await s.config.get()).toEqual({ iceServers: [TURN] });
    s.at(600_000);
    expect(await s.config.get()).toEqual({ iceServers: [TURN] });

    const fresh = source([new Error('offline')]);
    expect(await fresh.config.get()).toEqual({ iceServers: [] });
  });

  it('relay-only asks for relayed candidates only', async () => {
    const s = source([{ iceServers: [STUN, TURN], ttlSeconds: 600 }], true);
    expect(await s.config.get()).toEqual({ iceServers: [STUN, TURN], iceTransportPolicy: 'relay' });
  });

  it('relay-only without a TURN server refuses, saying what to do', async () => {
    const s = source([{ iceServers: [STUN], ttlSeconds: 0 }], true);
    await expect(s.config.get()).rejects.toBeInstanceOf(RelayUnavailableError);
    const offline = source([new Error('offline')], true);
    await expect(offline.config.get()).rejects.toThrow(/Turn off “Relay calls through the server” in Settings/);
  });

  it('servers offered with a ring are used without asking, while fresh; expired, they are asked for', async () => {
    const s = source([{ iceServers: [STUN], ttlSeconds: 0 }]);
    s.config.offer({ iceServers: [TURN], ttlSeconds: 600 });
    expect(await s.config.get()).toEqual({ iceServers: [TURN] });
    expect(s.asked).toEqual([]);
    s.at(reuseWindowMs(600));
    expect(await s.config.get()).toEqual({ iceServers: [STUN] });
    expect(s.asked).toEqual([reuseWindowMs(600)]);
  });

  it('offered servers are ignored when relay-only needs a TURN server they lack, or when the servers come from elsewhere', async () => {
    const relay = source([{ iceServers: [STUN, TURN], ttlSeconds: 600 }], true);
    relay.config.offer({ iceServers: [STUN], ttlSeconds: 600 });
    expect(await relay.config.get()).toEqual({ iceServers: [STUN, TURN], iceTransportPolicy: 'relay' });
    expect(relay.asked).toHaveLength(1);
    const embedded = source([{ iceServers: [STUN], ttlSeconds: 0 }], false, false);
    embedded.config.offer({ iceServers: [TURN], ttlSeconds: 600 });
    expect(await embedded.config.get()).toEqual({ iceServers: [STUN] });
    expect(embedded.asked).toHaveLength(1);
  });

  it("a welcome's list without credentials is kept for good; a welcome without one drops it (the server has TURN now), not credentials from a call", async () => {
    const s = source([{ iceServers: [STUN, TURN], ttlSeconds: 600 }]);
    s.config.welcomed({ iceServers: [STUN], ttlSeconds: 0 });
    s.at(365 * 24 * 3600_000);
    expect(s.config.fresh()).toEqual({ iceServers: [STUN] });
    // The server restarted with TURN: its welcome brings none, so the next call asks and gets the relay.
    s.config.welcomed(null);
    expect(s.config.fresh()).toBeNull();
    expect(await s.config.get()).toEqual({ iceServers: [STUN, TURN] });
    expect(s.asked).toHaveLength(1);
    // Credentials that came for a call stay while fresh, whatever the next welcome says.
    s.config.welcomed(null);
    expect(s.config.fresh()).toEqual({ iceServers: [STUN, TURN] });
    // From elsewhere (an embedder's servers), a welcome changes nothing either way.
    const embedded = source([{ iceServers: [TURN], ttlSeconds: 0 }], false, false);
    expect(await embedded.config.get()).toEqual({ iceServers: [TURN] });
    embedded.config.welcomed({ iceServers: [STUN], ttlSeconds: 0 });
    embedded.config.welcomed(null);
    expect(embedded.config.fresh()).toEqual({ iceServers: [TURN] });
  });

  it('a change of the relay setting takes effect for the next session', async () => {
    const s = source([
      { iceServers: [TURN], ttlSeconds: 3600 },
      { iceServers: [TURN], ttlSeconds: 3600 },
    ]);
    expect(await s.config.get()).toEqual({ iceServers: [TURN] });
    s.setRelay(true);
    expect(await s.config.get()).toEqual({ iceServers: [TURN], iceTransportPolicy: 'relay' });
  });
});
