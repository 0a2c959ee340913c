/**
 * The benchmark's pure parts, which decide what its numbers mean: percentiles,
 * the timestamp a relayed candidate carries, which scripts count as initial, the
 * relay schedule, who the load clients are, whom they list as contacts and the
 * keys they sign in with. No timing is asserted here:
 * benchmarks measure, `npm run bench` prints.
 */
import { describe, expect, it } from 'vitest';
import { initialScriptPaths } from './clientWeight';
import { candidateText, sentAtNs } from './signaling/candidate';
import { authProofMessage, checkCredential, idOfKey, verify } from '../../signaling-server/identity';
import { PROTOCOL_VERSION } from '../../signaling-server/protocol';
import { importDevice, makeBenchDevice, makeBenchUser, portableDeviceSchema, proveConnection } from './benchIdentity';
import { assignIdentities } from './signaling/identities';
import { buildPopulation, ringContacts } from './signaling/population';
import { relaySchedule } from './signaling/relayWindows';
import { percentile, ratio, summarize } from './stats';

describe('percentile', () => {
  it('takes the nearest rank, so every reported value was really observed', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile([42], 99)).toBe(42);
  });

  it('is NaN for no values and refuses a p outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('summarizes tens of thousands of samples without overflowing the call stack', () => {
    const values = Array.from({ length: 200_000 }, (_, i) => i);
    expect(summarize(values)).toMatchObject({ n: 200_000, min: 0, max: 199_999, p50: 99_999 });
  });

  it('gives NaN for a ratio with a missing side instead of a misleading number', () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
});

describe('the relayed candidate', () => {
  it('carries its send time to the receiver exactly', () => {
    const sent = 123_456_789_012_345_678n;
    const text = candidateText(sent);
    expect(text.length).toBeLessThanOrEqual(1024); // LIMITS.maxCandidateChars
    expect(sentAtNs(text)).toBe(sent);
  });

  it('yields no time for a candidate it did not write', () => {
    expect(sentAtNs('candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host')).toBeNull();
    expect(sentAtNs(`${candidateText(1n)}x`)).toBeNull();
  });
});

describe('initial scripts of the built client', () => {
  it('counts the module entry and modulepreloads, not stylesheets, icons or classic scripts', () => {
    const html = `
      <link rel="icon" href="data:image/svg+xml,x" />
      <script type="module" crossorigin src="./assets/index-abc.js"></script>
      <link rel="modulepreload" crossorigin href="./assets/vendor-def.js">
      <link rel="stylesheet" crossorigin href="./assets/index-ghi.css">
      <script src="./legacy.js"></script>`;
    expect(initialScriptPaths(html)).toEqual(['assets/index-abc.js', 'assets/vendor-def.js']);
  });
});

describe('the relay schedule', () => {
  it('warms each server up once, then alternates measured windows between them', () => {
    const windows = relaySchedule(1_000n, 'bare', 500, 3);
    expect(windows.map((w) => w.kind)).toEqual(['bare', 'parley', 'bare', 'parley', 'bare', 'parley', 'bare', 'parley']);
    expect(windows.map((w) => w.measured)).toEqual([false, false, true, true, true, true, true, true]);
    expect(windows[0]).toMatchObject({ startNs: '1000', endNs: String(1_000n + 500_000_000n) });
    for (let i = 1; i < windows.length; i++) expect(windows[i]?.startNs).toBe(windows[i - 1]?.endNs);
  });
});

describe('the load population', () => {
  const population = buildPopulation({ clients: 1_000, pairs: 10, devicesPerUser: 50, contactsPerUser: 10, relayProcesses: 2, idleProcesses: 4 });
  const everyone = [...population.pairMembers.flat(), ...population.idle.flat()];

  it('has exactly the asked number of clients, each with its own device', () => {
    expect(everyone).toHaveLength(1_000);
    expect(new Set(everyone.map((c) => c.device)).size).toBe(1_000);
  });

  it('puts every pair in the relay processes, each partner in a different one', () => {
    const processOf = new Map<string, number>();
    population.pairMembers.forEach((list, p) => list.forEach((c) => processOf.set(c.device, p)));
    const callers = population.pairMembers.flat().filter((c) => c.role === 'caller');
    expect(callers).toHaveLength(10);
    for (const caller of callers) {
      const partner = caller.partner?.device ?? '';
      expect(processOf.get(partner)).not.toBe(processOf.get(caller.device));
      expect(processOf.get(caller.device)).toBeLessThan(2);
    }
    expect(population.idle.slice(0, 2).flat()).toHaveLength(0);
  });

  it('groups idle clients into users of many devices, first devices first', () => {
    const idle = population.idle.flat();
    const users = new Set(idle.map((c) => c.user));
    expect(users.size).toBe(Math.ceil(980 / 50));
    // Each process connects in list order: every user's first device, then every second one, …
    const deviceIndex = (device: string): number => Number(/^idle_d(\d+)_/.exec(device)?.[1]);
    for (const list of population.idle) {
      const order = list.map((c) => deviceIndex(c.device));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('gives every user ten contacts who list it back, partners among them, the same for each of its devices', () => {
    const contactsOf = new Map<string, string[]>();
    for (const seat of everyone) {
      const known = contactsOf.get(seat.user);
      if (known) expect(seat.contacts).toEqual(known);
      contactsOf.set(seat.user, seat.contacts);
    }
    expect(contactsOf.size).toBe(20 + Math.ceil(980 / 50));
    for (const [user, contacts] of contactsOf) {
      expect(new Set(contacts).size).toBe(10);
      expect(contacts).not.toContain(user);
      for (const contact of contacts) expect(contactsOf.get(contact)).toContain(user);
    }
    for (const seat of population.pairMembers.flat()) expect(seat.contacts).toContain(seat.partner?.user);
    // Pure: the same arguments, the same contacts.
    const again = buildPopulation({ clients: 1_000, pairs: 10, devicesPerUser: 50, contactsPerUser: 10, relayProcesses: 2, idleProcesses: 4 });
    expect([...again.pairMembers.flat(), ...again.idle.flat()].map((c) => c.contacts)).toEqual(everyone.map((c) => c.contacts));
  });

  it('lists everyone else when there are fewer users than contacts, and refuses an odd count', () => {
    const few = ringContacts(['a', 'b', 'c'], 10);
    expect(few.get('a')?.sort()).toEqual(['b', 'c']);
    expect(() => buildPopulation({ clients: 10, pairs: 1, devicesPerUser: 1, contactsPerUser: 3, relayProcesses: 1, idleProcesses: 1 })).toThrow(RangeError);
  });
});

describe('the benchmark clients\' identities', () => {
  it('are keys, certificates and proofs that identity.ts accepts, and cross a process boundary intact', async () => {
    const user = makeBenchUser();
    const device = portableDeviceSchema.parse(JSON.parse(JSON.stringify(makeBenchDevice(user))));
    expect(await checkCredential(device.credential)).toEqual({ userId: user.userId, deviceId: device.deviceId });
    expect(await idOfKey(device.credential.userKey)).toBe(user.userId);
    const signer = importDevice(device);
    const proof = proveConnection(signer, '127.0.0.1:7300', 'engine-session-id');
    const fields = { protocolVersion: PROTOCOL_VERSION, host: '127.0.0.1:7300', sessionId: 'engine-session-id', userId: user.userId, deviceId: device.deviceId };
    expect(await verify(device.credential.deviceKey, proof, authProofMessage(fields))).toBe(true);
    expect(await verify(device.credential.deviceKey, proof, authProofMessage({ ...fields, sessionId: 'another-session' }))).toBe(false);
  });

  it('give the population real ids: partners and contacts name the users and devices that connect', () => {
    const seats = buildPopulation({ clients: 40, pairs: 2, devicesPerUser: 3, contactsPerUser: 4, relayProcesses: 2, idleProcesses: 1 });
    const made = assignIdentities(seats);
    const clients = [...made.pairMembers.flat(), ...made.idle.flat()];
    const byDevice = new Map(clients.map((c) => [c.device.deviceId, c]));
    const userIds = new Set(clients.map((c) => c.device.userId));
    expect(byDevice.size).toBe(40);
    expect(userIds.size).toBe(4 + 12);
    for (const c of clients) {
      for (const contact of c.contacts) expect(userIds).toContain(contact);
      if (c.partner) {
        expect(byDevice.get(c.partner.deviceId)?.device.userId).toBe(c.partner.userId);
        expect(c.contacts).toContain(c.partner.userId);
      }
    }
  });
});
