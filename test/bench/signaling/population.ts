/**
 * Who the benchmark's clients are, whom each user has as contacts, and which load
 * generator drives each.
 *
 * - Pair members: `pairs` calls of two users with one device each, driven by their
 *   own small processes (the first `relayProcesses`), so that the garbage collector
 *   of a process holding thousands of idle sockets does not pause the receivers and
 *   count as relay latency. Partners sit in different processes, so every relayed
 *   signal crosses from one to another.
 * - Idle clients: the rest, in the other `idleProcesses`, `devicesPerUser` devices
 *   to a user: that keeps the cost of many users out of the per-socket memory and
 *   latency figures (and lets 10,000 sockets connect within the time budget). The
 *   cost of distinct users is measured on its own (the presence fan-out run).
 * - Contacts: presence flows only between mutual contacts (protocol 3), so every
 *   user lists `contactsPerUser` others, the nearest on a ring of all users (half
 *   before it, half after), which makes every contact mutual. The ring puts each
 *   pair's two users side by side, so partners are each other's contacts.
 *
 * Users and devices are named here by labels (`idle_u00000003`); assignIdentities
 * (identities.ts) gives each a real key. Pure: the same arguments give the same
 * population.
 */

export type Role = 'idle' | 'caller' | 'callee';

/** One client socket, by labels. */
export interface Seat {
  user: string;
  device: string;
  displayName: string;
  /** 'caller' invites its partner's user; 'callee' accepts; 'idle' only stays connected. */
  role: Role;
  /** The other pair member. */
  partner: { user: string; device: string } | null;
  /** The labels of the users this seat's user lists as contacts. */
  contacts: string[];
}

export interface PopulationOptions {
  clients: number;
  pairs: number;
  devicesPerUser: number;
  /** Contacts of each user (even: half on each side of it on the ring). */
  contactsPerUser: number;
  relayProcesses: number;
  idleProcesses: number;
}

export interface Population<Client = Seat> {
  /** Per process: its pair members (connected and called first), then its idle clients. */
  pairMembers: Client[][];
  idle: Client[][];
  senders: number;
}

const label = (prefix: string, n: number): string => `${prefix}${String(n).padStart(8, '0')}`;

/** Each user's contacts: the `perUser / 2` users on each side of it on the ring (all others when there are fewer). */
export function ringContacts(ring: readonly string[], perUser: number): Map<string, string[]> {
  const contacts = new Map<string, string[]>();
  const n = ring.length;
  for (const [i, user] of ring.entries()) {
    const near = new Set<string>();
    for (let k = 1; k <= perUser / 2; k++) {
      near.add(ring[(i + k) % n] as string);
      near.add(ring[(((i - k) % n) + n) % n] as string);
    }
    near.delete(user);
    contacts.set(user, [...near]);
  }
  return contacts;
}

/** Per process (relay processes first, then idle ones): the clients it drives. */
export function buildPopulation(options: PopulationOptions): Population {
  const { clients, pairs, devicesPerUser, contactsPerUser, relayProcesses, idleProcesses } = options;
  if (clients < 2 * pairs) throw new RangeError(`${clients} clients cannot hold ${pairs} pairs`);
  if (relayProcesses < 1 || idleProcesses < 1) throw new RangeError('buildPopulation needs at least one relay and one idle process');
  if (!Number.isInteger(contactsPerUser) || contactsPerUser < 2 || contactsPerUser % 2 !== 0) {
    throw new RangeError(`contactsPerUser must be an even number of at least 2 (partners are contacts), not ${contactsPerUser}`);
  }
  const idleCount = clients - 2 * pairs;
  const idleUsers = Math.ceil(idleCount / devicesPerUser);
  const ring: string[] = [];
  for (let i = 0; i < pairs; i++) ring.push(label('pairA_u', i), label('pairB_u', i));
  for (let user = 0; user < idleUsers; user++) ring.push(label('idle_u', user));
  const contacts = ringContacts(ring, contactsPerUser);
  const contactsOf = (user: string): string[] => contacts.get(user) ?? [];

  const processes = relayProcesses + idleProcesses;
  const pairMembers: Seat[][] = Array.from({ length: processes }, () => []);
  const idle: Seat[][] = Array.from({ length: processes }, () => []);
  for (let i = 0; i < pairs; i++) {
    const caller = { user: label('pairA_u', i), device: label('pairA_d', i) };
    const callee = { user: label('pairB_u', i), device: label('pairB_d', i) };
    pairMembers[i % relayProcesses]?.push({ ...caller, displayName: `Caller ${i}`, role: 'caller', partner: callee, contacts: contactsOf(caller.user) });
    pairMembers[(i + 1) % relayProcesses]?.push({ ...callee, displayName: `Callee ${i}`, role: 'callee', partner: caller, contacts: contactsOf(callee.user) });
  }
  // Device-major order (every user's first device, then every second one, …): each
  // user comes online early, while few sockets are there to be told.
  let n = 0;
  for (let device = 0; n < idleCount; device++) {
    for (let user = 0; user < idleUsers && n < idleCount; user++, n++) {
      const userLabel = label('idle_u', user);
      idle[relayProcesses + (n % idleProcesses)]?.push({
        user: userLabel,
        device: label(`idle_d${device}_`, user),
        displayName: `Idle ${user}`,
        role: 'idle',
        partner: null,
        contacts: contactsOf(userLabel),
      });
    }
  }
  return { pairMembers, idle, senders: 2 * pairs };
}
