import { describe, expect, it } from 'vitest';
import { buildContacts, filterContacts, sortContacts, type Contact } from '../../../renderer/state/contacts';
import { EMPTY_PRESENCE, presenceReducer, type PresenceState } from '../../../renderer/state/presence';

const id = (name: string): string => `user-${name.toLowerCase()}-0001`;
const contact = (name: string, status: Contact['status'], favourite = false): Contact => ({
  userId: id(name),
  displayName: name,
  status,
  favourite,
});

function presenceWith(users: { name: string; status: 'available' | 'dnd' | 'away' | 'in_call' }[]): PresenceState {
  return presenceReducer(EMPTY_PRESENCE, {
    type: 'welcome',
    self: { userId: id('Me'), displayName: 'Me', status: 'available' },
    users: [
      { userId: id('Me'), displayName: 'Me', status: 'available' },
      ...users.map((u) => ({ userId: id(u.name), displayName: u.name, status: u.status })),
    ],
  });
}

describe('contact sorting', () => {
  it('puts favourites first, then people by status (available, in a call, away, do not disturb, offline), then by name', () => {
    const sorted = sortContacts([
      contact('Zed', 'available'),
      contact('Dora', 'dnd'),
      contact('Amy', 'away'),
      contact('Olga', 'offline', true),
      contact('Carl', 'in_call'),
      contact('Bea', 'available'),
      contact('Fay', 'available', true),
    ]);
    expect(sorted.map((c) => c.displayName)).toEqual(['Fay', 'Olga', 'Bea', 'Zed', 'Carl', 'Amy', 'Dora']);
  });

  it('orders names without regard to case or accents, and numbers by value', () => {
    const sorted = sortContacts([
      contact('émile', 'available'),
      contact('Eve', 'available'),
      contact('agent 10', 'available'),
      contact('agent 9', 'available'),
    ]);
    expect(sorted.map((c) => c.displayName)).toEqual(['agent 9', 'agent 10', 'émile', 'Eve']);
  });
});

describe('building the contact list', () => {
  it('lists everyone online except me, and offline favourites greyed as offline', () => {
    const presence = presenceWith([
      { name: 'Bob', status: 'available' },
      { name: 'Carol', status: 'in_call' },
    ]);
    const list = buildContacts(presence, [
      { userId: id('Carol'), displayName: 'Carol' },
      { userId: id('Dan'), displayName: 'Dan' },
    ]);
    expect(list).toEqual([
      { userId: id('Carol'), displayName: 'Carol', status: 'in_call', favourite: true },
      { userId: id('Dan'), displayName: 'Dan', status: 'offline', favourite: true },
      { userId: id('Bob'), displayName: 'Bob', status: 'available', favourite: false },
    ]);
  });

  it('shows a favourite under the name they use now, not the stored one', () => {
    const presence = presenceWith([{ name: 'Robert', status: 'available' }]);
    const list = buildContacts(presence, [{ userId: id('Robert'), displayName: 'Bob (old name)' }]);
    expect(list.map((c) => c.displayName)).toEqual(['Robert']);
  });

  it('never lists me, even as a favourite', () => {
    const presence = presenceWith([]);
    expect(buildContacts(presence, [{ userId: id('Me'), displayName: 'Me' }])).toEqual([]);
  });
});

describe('contact search', () => {
  const list = [contact('Zoë Martin', 'available'), contact('Bob Stone', 'away'), contact('Martina', 'offline', true)];

  it('matches part of a name regardless of case and accents', () => {
    expect(filterContacts(list, 'ZOE').map((c) => c.displayName)).toEqual(['Zoë Martin']);
    expect(filterContacts(list, 'mart').map((c) => c.displayName)).toEqual(['Zoë Martin', 'Martina']);
  });

  it('needs every word of the query, in any order', () => {
    expect(filterContacts(list, 'martin zo').map((c) => c.displayName)).toEqual(['Zoë Martin']);
    expect(filterContacts(list, 'bob martin')).toEqual([]);
  });

  it('returns everyone for a blank query', () => {
    expect(filterContacts(list, '   ')).toHaveLength(3);
  });
});
