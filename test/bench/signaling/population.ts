/**
 * Who the benchmark's clients are, and which load generator drives each.
 *
 * - Pair members: `pairs` calls of two users with one device each, driven by their
 *   own small processes (the first `relayProcesses`), so that the garbage collector
 *   of a process holding thousands of idle sockets does not pause the receivers and
 *   count as relay latency. Partners sit in different processes, so every relayed
 *   signal crosses from one to another.
 * - Idle clients: the rest, in the other `idleProcesses`, `devicesPerUser` devices to a user. Parley tells every
 *   socket about every user who comes online (presence:joined) and hands each new
 *   socket the whole roster, so N distinct users cost the server O(N²) messages;
 *   grouping devices keeps that out of the per-socket memory and latency figures
 *   (and lets 10,000 sockets connect within the time budget). The cost of distinct
 *   users is measured on its own (the presence fan-out run).
 * Pure: the same arguments give the same population.
 */
import type { ClientSpec } from './messages';

export interface PopulationOptions {
  clients: number;
  pairs: number;
  devicesPerUser: number;
  relayProcesses: number;
  idleProcesses: number;
}

export interface Population {
  /** Per process: its pair members (connected and called first), then its idle clients. */
  pairMembers: ClientSpec[][];
  idle: ClientSpec[][];
  senders: number;
}

const id = (prefix: string, n: number): string => `${prefix}${String(n).padStart(8, '0')}`;

/** Per process (relay processes first, then idle ones): the clients it drives. */
export function buildPopulation({ clients, pairs, devicesPerUser, relayProcesses, idleProcesses }: PopulationOptions): Population {
  if (clients < 2 * pairs) throw new RangeError(`${clients} clients cannot hold ${pairs} pairs`);
  if (relayProcesses < 1 || idleProcesses < 1) throw new RangeError('buildPopulation needs at least one relay and one idle process');
  const processes = relayProcesses + idleProcesses;
  const pairMembers: ClientSpec[][] = Array.from({ length: processes }, () => []);
  const idle: ClientSpec[][] = Array.from({ length: processes }, () => []);
  for (let i = 0; i < pairs; i++) {
    const caller = { userId: id('pairA_u', i), deviceId: id('pairA_d', i) };
    const callee = { userId: id('pairB_u', i), deviceId: id('pairB_d', i) };
    pairMembers[i % relayProcesses]?.push({ ...caller, displayName: `Caller ${i}`, role: 'caller', partner: callee });
    pairMembers[(i + 1) % relayProcesses]?.push({ ...callee, displayName: `Callee ${i}`, role: 'callee', partner: caller });
  }
  const idleCount = clients - 2 * pairs;
  const users = Math.ceil(idleCount / devicesPerUser);
  // Device-major order (every user's first device, then every second one, …): each
  // user comes online early, while few sockets are there to be told.
  let n = 0;
  for (let device = 0; n < idleCount; device++) {
    for (let user = 0; user < users && n < idleCount; user++, n++) {
      idle[relayProcesses + (n % idleProcesses)]?.push({
        userId: id('idle_u', user),
        deviceId: id(`idle_d${device}_`, user),
        displayName: `Idle ${user}`,
        role: 'idle',
        partner: null,
      });
    }
  }
  return { pairMembers, idle, senders: 2 * pairs };
}
