/**
 * The population's labels made real: a user key for every user label, a device
 * key certified by it for every seat, and every label in partners and contact
 * lists replaced by the real userId or deviceId. Done once per run, before
 * anything is timed (about 0.3 ms a device, see benchIdentity.ts).
 */
import { makeBenchDevice, makeBenchUser, type BenchUser } from '../benchIdentity';
import type { ClientSpec } from './messages';
import type { Population, Seat } from './population';

export function assignIdentities(population: Population): Population<ClientSpec> {
  const users = new Map<string, BenchUser>();
  const userOf = (label: string): BenchUser => {
    let user = users.get(label);
    if (user === undefined) {
      user = makeBenchUser();
      users.set(label, user);
    }
    return user;
  };
  const seats = [...population.pairMembers.flat(), ...population.idle.flat()];
  const devices = new Map(seats.map((seat) => [seat.device, makeBenchDevice(userOf(seat.user))]));
  const deviceOf = (label: string) => {
    const device = devices.get(label);
    if (device === undefined) throw new Error(`assignIdentities: no seat has the device ${label}`);
    return device;
  };
  const real = (seat: Seat): ClientSpec => ({
    device: deviceOf(seat.device),
    displayName: seat.displayName,
    role: seat.role,
    partner: seat.partner === null ? null : { userId: deviceOf(seat.partner.device).userId, deviceId: deviceOf(seat.partner.device).deviceId },
    contacts: seat.contacts.map((label) => userOf(label).userId),
  });
  return {
    pairMembers: population.pairMembers.map((list) => list.map(real)),
    idle: population.idle.map((list) => list.map(real)),
    senders: population.senders,
  };
}
