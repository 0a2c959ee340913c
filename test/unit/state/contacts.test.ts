import { describe, expect, it } from 'vitest';
import { i18n } from '../../../renderer/i18n';
import { blockUser } from '../../../renderer/state/blocking';
import { buildContacts, filterContacts, sortContacts, statusLabel, strangerCallStyle, type Contact, type ContactStatus } from '../../../renderer/state/contacts';
import { EMPTY_BOOK, type ContactBookState } from '../../../renderer/contacts/contactBook';
import { EMPTY_PRESENCE, presenceReducer, type PresenceState } from '../../../renderer/state/presence';

const id = (name: string): string => `user-${name.toLowerCase()}-0001`;
const contact = (name: string, status: Contact['status'], favourite = false): Contact => ({
  userId: id(name),
  displayName: name,
  status,
  favourite,
  inBook: false,
  verified: false,
  keyChanged: false,
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

const notInBook = { inBook: false, verified: false, keyChanged: false };
const KEY = { alg: 'Ed25519' as const, spki: 'MCowBQYDK2VwAyEA' };

function bookWith(entries: { name: string; verified?: boolean; keyChanged?: boolean }[]): ContactBookState {
  return {
    ...EMPTY_BOOK,
    contacts: new Map(
      entries.map((e) => [id(e.name), { userId: id(e.name), displayName: e.name, userKey: KEY, addedAt: 1, verified: e.verified ?? false }]),
    ),
    keyChanges: new Map(
      entries.filter((e) => e.keyChanged).map((e) => [id(e.name), { userId: id(e.name), displayName: e.name, newKey: KEY, seenAt: 2 }]),
    ),
  };
}

describe('building the contact list', () => {
  it('lists the people I added, online from presence and offline otherwise, with their verified and key-changed marks', () => {
    const presence = presenceWith([
      { name: 'Bob', status: 'away' },
      { name: 'Stranger', status: 'available' },
    ]);
    const book = bookWith([{ name: 'Bob', verified: true }, { name: 'Carol' }, { name: 'Dan', keyChanged: true }]);
    expect(buildContacts(presence, [{ userId: id('Dan'), displayName: 'Dan' }], book)).toEqual([
      { userId: id('Dan'), displayName: 'Dan', status: 'offline', favourite: true, inBook: true, verified: false, keyChanged: true },
      { userId: id('Stranger'), displayName: 'Stranger', status: 'available', favourite: false, ...notInBook },
      { userId: id('Bob'), displayName: 'Bob', status: 'away', favourite: false, inBook: true, verified: true, keyChanged: false },
      { userId: id('Carol'), displayName: 'Carol', status: 'offline', favourite: false, inBook: true, verified: false, keyChanged: false },
    ]);
  });

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
      { userId: id('Carol'), displayName: 'Carol', status: 'in_call', favourite: true, ...notInBook },
      { userId: id('Dan'), displayName: 'Dan', status: 'offline', favourite: true, ...notInBook },
      { userId: id('Bob'), displayName: 'Bob', status: 'available', favourite: false, ...notInBook },
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

describe('how a ringing call is shown', () => {
  const contacts = buildContacts(presenceWith([{ name: 'Bob', status: 'available' }]), [], bookWith([{ name: 'Bob' }, { name: 'Dan', keyChanged: true }]));

  it('rings as usual for a contact', () => {
    expect(strangerCallStyle(id('Bob'), contacts, 'ask')).toBeNull();
  });

  it('follows the setting for someone not in my contacts, and for a contact whose key changed', () => {
    expect(strangerCallStyle(id('Eve'), contacts, 'ask')).toBe('ask');
    expect(strangerCallStyle(id('Eve'), contacts, 'ring')).toBe('ring');
    expect(strangerCallStyle(id('Eve'), contacts, 'refuse')).toBe('ask');
    expect(strangerCallStyle(id('Dan'), contacts, 'ring')).toBe('ring');
    expect(strangerCallStyle(id('Dan'), contacts, 'ask')).toBe('ask');
  });
});

describe('status words in the UI language (issue 16.1)', () => {
  it('names each status in English and in Russian, at the moment it is asked', async () => {
    expect(statusLabel('in_call')).toBe('In a call');
    await i18n.changeLanguage('ru');
    try {
      expect(['available', 'in_call', 'away', 'dnd', 'offline'].map((s) => statusLabel(s as ContactStatus))).toEqual([
        'На связи',
        'В звонке',
        'Нет на месте',
        'Не беспокоить',
        'Не в сети',
      ]);
      // Another plain-module refusal that reaches a toast.
      expect(() => blockUser(Array.from({ length: 1000 }, (_, i) => `u${i}`), 'x')).toThrow(/^Вы заблокировали \d+ человек/);
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});
