import { describe, expect, it } from 'vitest';
import {
  desktopInviteLink,
  inviteCode,
  newInviteSecret,
  parseInvite,
  parseInviteHash,
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
