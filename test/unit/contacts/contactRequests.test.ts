/**
 * Contact requests as the app handles them: events arrive through the real
 * ServerEventHub (parsed with protocol.ts), the book is real (fake-indexeddb),
 * and the signaling client is a recorder of requests.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import type { HostNotice } from '../../../preload/contract';
import { loadContactBook, type ContactBook } from '../../../renderer/contacts/contactBook';
import { openContactsDb } from '../../../renderer/contacts/contactsDb';
import { wireContactRequests, type ContactsSignaling } from '../../../renderer/contacts/contactRequests';
import type { KeyedPerson } from '../../../renderer/contacts/types';
import { RequestError, type ConnectionState, type HandshakeProfile } from '../../../renderer/signaling/client';
import { ServerEventHub } from '../../../renderer/signaling/serverEventHub';
import { exportPublicKey, generateKeyPair, idOfKey } from '../../../signaling-server/identity';
import type { StrangerCalls, WelcomePayload } from '../../../signaling-server/protocol';
import { waitFor } from '../fakes/waitFor';

async function person(displayName: string): Promise<KeyedPerson> {
  const { pair, alg } = await generateKeyPair();
  const userKey = await exportPublicKey(pair.publicKey, alg);
  return { userId: await idOfKey(userKey), displayName, userKey };
}

class FakeClient implements ContactsSignaling {
  readonly events = new ServerEventHub();
  readonly sent: Array<[string, unknown]> = [];
  private state: ConnectionState = { phase: 'connecting', url: 'http://server.test' };
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  refuse: Partial<Record<string, RequestError>> = {};
  directory: { userId: string; displayName: string; online: boolean }[] = [];

  request = (async (event: string, payload: unknown) => {
    this.sent.push([event, payload]);
    const refusal = this.refuse[event];
    if (refusal) throw refusal;
    return event === 'directory:search' ? { ok: true, users: this.directory } : { ok: true };
  }) as ContactsSignaling['request'];

  getState = (): ConnectionState => this.state;
  onState = (listener: (state: ConnectionState) => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  /** `profile`: what the connection's handshake gave the server (SignalingClient's online state). */
  welcome(profile?: HandshakeProfile): void {
    this.state = { phase: 'online', url: 'http://server.test', welcome: {} as WelcomePayload, ...(profile ? { profile } : {}) };
    for (const listener of [...this.listeners]) listener(this.state);
  }
  drop(): void {
    this.state = { phase: 'reconnecting', url: 'http://server.test', attempt: 1, lastError: 'transport close' };
    for (const listener of [...this.listeners]) listener(this.state);
  }
  sentOf(event: string): unknown[] {
    return this.sent.filter(([e]) => e === event).map(([, p]) => p);
  }
}

let owners = 0;
async function setUp(options: { blocked?: string[]; strangerCalls?: StrangerCalls } = {}) {
  const me = await person('Me');
  const book: ContactBook = await loadContactBook({ persistence: await openContactsDb(`requests-${(owners += 1)}-owner`) });
  const client = new FakeClient();
  const notices: HostNotice[] = [];
  const block = vi.fn(async () => {});
  const settings = { strangerCalls: options.strangerCalls ?? 'ask' };
  const requests = wireContactRequests({
    client,
    book,
    selfUserId: me.userId,
    strangerCalls: () => settings.strangerCalls,
    isBlocked: (userId) => (options.blocked ?? []).includes(userId),
    notify: (notice) => notices.push(notice),
    block,
  });
  return { me, book, client, notices, block, requests, settings };
}

describe('contact requests', () => {
  it('sends the list and the stranger setting after every welcome, and again when either changes', async () => {
    const { book, client, requests, settings } = await setUp({ strangerCalls: 'refuse' });
    client.welcome();
    await waitFor(() => client.sentOf('contacts:set').length === 1, 'client.sentOf(contacts:set).length === 1');
    expect(client.sentOf('contacts:set')[0]).toEqual({ userIds: [], strangerCalls: 'refuse' });
    const bob = await person('Bob');
    await book.add(bob);
    await waitFor(() => client.sentOf('contacts:set').length === 2, 'client.sentOf(contacts:set).length === 2');
    expect(client.sentOf('contacts:set')[1]).toEqual({ userIds: [bob.userId], strangerCalls: 'refuse' });
    settings.strangerCalls = 'ring';
    await requests.sync();
    await requests.sync(); // nothing changed since: nothing sent
    expect(client.sentOf('contacts:set')).toHaveLength(3);
    client.drop();
    client.welcome();
    await waitFor(() => client.sentOf('contacts:set').length === 4, 'client.sentOf(contacts:set).length === 4');
  });

  it('sends no list after a welcome whose handshake carried the same list and setting, and sends one that changed meanwhile', async () => {
    const { book, client } = await setUp({ strangerCalls: 'ring' });
    const bob = await person('Bob');
    await book.add(bob);
    client.welcome({ contacts: [bob.userId], strangerCalls: 'ring' });
    // Settled: a contact request of mine would have gone by now; nothing else is sent.
    await book.addOutgoing({ userId: 'user-carol-000001', secret: 'carols-invite-secret' });
    client.drop();
    client.welcome({ contacts: [bob.userId], strangerCalls: 'ring' });
    await waitFor(() => client.sentOf('contact:request').length === 1, 'the pending request is sent after the welcome');
    expect(client.sentOf('contacts:set')).toEqual([]);

    // Carol was added while the connection was being made: the handshake's list lacks her.
    client.drop();
    const carol = await person('Carol');
    await book.add(carol);
    client.welcome({ contacts: [bob.userId], strangerCalls: 'ring' });
    await waitFor(() => client.sentOf('contacts:set').length === 1, 'the changed list is sent');
    expect(client.sentOf('contacts:set')[0]).toEqual({ userIds: book.userIds(), strangerCalls: 'ring' });
    // The handshake's setting differs: sent.
    client.drop();
    client.welcome({ contacts: book.userIds(), strangerCalls: 'ask' });
    await waitFor(() => client.sentOf('contacts:set').length === 2, 'the changed setting is sent');
    // The same list and setting again after that: nothing more.
    client.drop();
    client.welcome({ contacts: book.userIds(), strangerCalls: 'ring' });
    await waitFor(() => client.sentOf('contact:request').length === 4, 'the welcome was handled');
    expect(client.sentOf('contacts:set')).toHaveLength(2);
  });

  it('keeps an outgoing request while offline and sends it after every welcome until it is answered', async () => {
    const { book, client, requests, notices } = await setUp();
    const bob = await person('Bob');
    expect(await requests.request({ userId: bob.userId, secret: 'bobs-invite-secret-01' })).toBe('pending');
    client.welcome();
    await waitFor(() => client.sentOf('contact:request').length === 1, 'client.sentOf(contact:request).length === 1');
    expect(client.sentOf('contact:request')[0]).toEqual({ to: bob.userId, secret: 'bobs-invite-secret-01' });
    client.drop();
    client.welcome();
    await waitFor(() => client.sentOf('contact:request').length === 2, 'client.sentOf(contact:request).length === 2');

    client.events.receive('contact:answered', { from: bob, accepted: true });
    await waitFor(() => notices.length === 1, 'the acceptance is told');
    expect(book.getSnapshot().outgoing).toEqual([]);
    expect(book.pinnedKey(bob.userId)).toEqual(bob.userKey);
    expect(notices.at(-1)?.message).toBe('Bob accepted: they are now in your contacts.');
    client.drop();
    client.welcome();
    await waitFor(() => client.sentOf('contacts:set').length >= 3, 'client.sentOf(contacts:set).length >= 3');
    expect(client.sentOf('contact:request')).toHaveLength(2);
  });

  it('says plainly when a request is declined, and adds no one', async () => {
    const { book, client, requests, notices } = await setUp();
    const bob = await person('Bob');
    client.welcome();
    expect(await requests.request({ userId: bob.userId, secret: null })).toBe('sent');
    client.events.receive('contact:answered', { from: bob, accepted: false });
    await waitFor(() => notices.length === 1, 'the refusal is told');
    expect(book.isContact(bob.userId)).toBe(false);
    expect(notices.at(-1)?.message).toBe('Bob declined your contact request.');
  });

  it('accepts a request bearing my invite secret by itself, once', async () => {
    const { book, client, notices } = await setUp();
    client.welcome();
    const invite = await book.createInvite();
    const bob = await person('Bob');
    client.events.receive('contact:requested', { from: bob, secret: invite.secret });
    await waitFor(() => notices.length === 1, 'the toast');
    expect(client.sentOf('contact:answer')).toEqual([{ to: bob.userId, accept: true }]);
    expect(notices.at(-1)?.message).toBe('Bob added you with your invite.');

    // The same secret a second time (a leaked link) does not add anyone else.
    const eve = await person('Eve');
    client.events.receive('contact:requested', { from: eve, secret: invite.secret });
    await waitFor(() => book.getSnapshot().incoming.length === 1, 'book.getSnapshot().incoming.length === 1');
    expect(book.isContact(eve.userId)).toBe(false);
    expect(client.sentOf('contact:answer')).toHaveLength(1);
  });

  it('asks about a request without a secret: accept pins the key, decline answers no, block also blocks', async () => {
    const { book, client, requests, block } = await setUp();
    client.welcome();
    const [carol, dave, eve] = await Promise.all([person('Carol'), person('Dave'), person('Eve')]);
    for (const from of [carol, dave, eve]) client.events.receive('contact:requested', { from, secret: null });
    await waitFor(() => book.getSnapshot().incoming.length === 3, 'book.getSnapshot().incoming.length === 3');
    expect(client.sentOf('contact:answer')).toEqual([]);

    await requests.accept(carol.userId);
    expect(book.pinnedKey(carol.userId)).toEqual(carol.userKey);
    await requests.decline(dave.userId);
    await requests.declineAndBlock(eve.userId);
    expect(client.sentOf('contact:answer')).toEqual([
      { to: carol.userId, accept: true },
      { to: dave.userId, accept: false },
      { to: eve.userId, accept: false },
    ]);
    expect(block).toHaveBeenCalledWith({ userId: eve.userId, displayName: 'Eve' });
    expect(book.getSnapshot().incoming).toEqual([]);
    expect(book.userIds()).toEqual([carol.userId]);
  });

  it('accepts by itself when we asked each other', async () => {
    const { book, client, requests } = await setUp();
    client.welcome();
    const bob = await person('Bob');
    await requests.request({ userId: bob.userId, secret: null });
    client.events.receive('contact:requested', { from: bob, secret: null });
    await waitFor(() => client.sentOf('contact:answer').length === 1, 'the answer is sent');
    expect(book.isContact(bob.userId)).toBe(true);
    expect(client.sentOf('contact:answer')).toEqual([{ to: bob.userId, accept: true }]);
    expect(book.getSnapshot().outgoing).toEqual([]);
  });

  it('drops a request whose key is not the userId’s, and one from a blocked person', async () => {
    const mallory = await person('Mallory');
    const { book, client } = await setUp({ blocked: [mallory.userId] });
    client.welcome();
    const bob = await person('Bob');
    client.events.receive('contact:requested', { from: { ...bob, userKey: mallory.userKey }, secret: null });
    client.events.receive('contact:requested', { from: mallory, secret: null });
    const carol = await person('Carol');
    client.events.receive('contact:requested', { from: carol, secret: null });
    await waitFor(() => book.getSnapshot().incoming.length === 1, 'book.getSnapshot().incoming.length === 1');
    expect(book.getSnapshot().incoming.map((r) => r.from.userId)).toEqual([carol.userId]);
  });

  it('treats another key for a contact as a key change: nothing answered, calls blocked until accepted', async () => {
    const { book, client, requests } = await setUp();
    client.welcome();
    const bob = await person('Bob');
    const other = await person('Bob');
    await book.add(bob);
    // A lying server: Bob's userId with another key (the hub's schema lets it through; the book catches it).
    client.events.receive('contact:requested', { from: { ...bob, userKey: other.userKey }, secret: null });
    await waitFor(() => book.getSnapshot().keyChanges.has(bob.userId), 'book.getSnapshot().keyChanges.has(bob.userId)');
    expect(book.isContact(bob.userId)).toBe(false);
    expect(client.sentOf('contact:answer')).toEqual([]);
    // That key is not even Bob's (its id differs): it cannot be accepted.
    await expect(requests.acceptNewKey(bob.userId)).rejects.toThrow(/does not belong to their id/);
    expect(book.isContact(bob.userId)).toBe(false);
    await requests.removeContact(bob.userId);
    expect(book.getSnapshot().keyChanges.size).toBe(0);
  });

  it('refuses to add myself, and says a contact is already one', async () => {
    const { me, book, requests } = await setUp();
    await expect(requests.request({ userId: me.userId, secret: 'my-own-secret-000001' })).rejects.toThrow(/your own invite/);
    const bob = await person('Bob');
    await book.add(bob);
    expect(await requests.request({ userId: bob.userId, secret: null })).toBe('already');
  });

  it('searches the directory when the server offers one, and says when it does not', async () => {
    const { me, client, requests } = await setUp();
    client.welcome();
    client.directory = [
      { userId: me.userId, displayName: 'Me', online: true },
      { userId: 'someone-else-0001', displayName: 'Mel', online: false },
    ];
    expect(await requests.searchDirectory('me')).toEqual({ offered: true, users: [{ userId: 'someone-else-0001', displayName: 'Mel', online: false }] });
    client.refuse['directory:search'] = new RequestError('directory_off', 'This server offers no directory.');
    expect(await requests.searchDirectory('me')).toEqual({ offered: false });
  });
});
