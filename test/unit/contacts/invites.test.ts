import { describe, expect, it } from 'vitest';
import {
  desktopInviteLink,
  inviteCode,
  newInviteSecret,
  parseInvite,
  parseInviteHash,
  watchInviteHash,
  webInviteLink,
} from '../../../renderer/contacts/invites';
import { parseInviteLink } from '../../../preload/contract';

const invite = { userId: 'AbCdEfGhIjKlMnOpQrStUv', secret: newInviteSecret() };

describe('invite links and codes', () => {
  it('makes fresh 22-character base64url secrets', () => {
    const secrets = new Set(Array.from({ length: 50 }, newInviteSecret));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) expect(secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('reads back every form it writes', () => {
    expect(parseInvite(inviteCode(invite))).toEqual(invite);
    expect(parseInvite(`  ${desktopInviteLink(invite)}\n`)).toEqual(invite);
    expect(parseInvite(webInviteLink('https://chat.example.org/', invite))).toEqual(invite);
    expect(webInviteLink('http://127.0.0.1:7300', invite)).toBe(`http://127.0.0.1:7300/#add/${invite.userId}/${invite.secret}`);
    expect(parseInviteHash(`#add/${invite.userId}/${invite.secret}`)).toEqual(invite);
    expect(parseInviteLink(`PARLEY://ADD/${invite.userId}/${invite.secret}`)).toEqual(invite);
  });

  it.each([
    ['empty text', ''],
    ['a name', 'Bob'],
    ['a short secret', `${invite.userId}.short`],
    ['a bad id', `bad id.${invite.secret}`],
    ['a call link', `parley://call/${invite.userId}`],
    ['an add link with extra parts', `parley://add/${invite.userId}/${invite.secret}/more`],
    ['an add link with a query', `parley://add/${invite.userId}/${invite.secret}?x=1`],
    ['an add link with credentials', `parley://me:pw@add/${invite.userId}/${invite.secret}`],
    ['an https link without #add', `https://chat.example.org/${invite.userId}/${invite.secret}`],
    ['a javascript: URL', `javascript:alert(1)//${invite.userId}.${invite.secret}`],
    ['an over-long text', `${invite.userId}.${'a'.repeat(3000)}`],
  ])('refuses %s', (_what, text) => {
    expect(parseInvite(text)).toBeNull();
  });
});

describe('the browser build’s #add/… address', () => {
  function fakeWindow(hash: string) {
    const listeners = new Set<() => void>();
    const win = {
      location: { hash, pathname: '/', search: '' },
      history: {
        replaceState: (_state: unknown, _title: string, url: string) => {
          win.location.hash = url.includes('#') ? url.slice(url.indexOf('#')) : '';
        },
      },
      addEventListener: (_type: string, listener: () => void) => listeners.add(listener),
      removeEventListener: (_type: string, listener: () => void) => listeners.delete(listener),
      navigate(next: string) {
        win.location.hash = next;
        for (const listener of [...listeners]) listener();
      },
      listeners,
    };
    return win;
  }

  it('hands the invite over once, takes the secret out of the address, and follows later changes', async () => {
    const win = fakeWindow(`#add/${invite.userId}/${invite.secret}`);
    const seen: unknown[] = [];
    const off = watchInviteHash((i) => seen.push(i), win as unknown as Window);
    await Promise.resolve();
    expect(seen).toEqual([invite]);
    expect(win.location.hash).toBe('');
    win.navigate('#somewhere-else');
    win.navigate(`#add/${invite.userId}/${invite.secret}`);
    expect(seen).toEqual([invite, invite]);
    off();
    expect(win.listeners.size).toBe(0);
  });

  it('ignores an address that is not an invite', async () => {
    const win = fakeWindow('#add/not an id/x');
    const seen: unknown[] = [];
    watchInviteHash((i) => seen.push(i), win as unknown as Window);
    await Promise.resolve();
    expect(seen).toEqual([]);
    expect(win.location.hash).toBe('#add/not an id/x');
  });
});
