/**
 * Invite links and codes. An invite carries my userId and a one-time secret that
 * my app issued and keeps (contactBook.ts): whoever presents it in a contact
 * request is added without asking me. It travels in three forms:
 * - `parley://add/<userId>/<secret>`, opened by the desktop app (main/deepLinks),
 * - `https://<server>/#add/<userId>/<secret>`, for the browser build (the server
 *   serves the client, so that page opens the Add contact dialog),
 * - `<userId>.<secret>`, a short code to paste.
 */
import { parseInviteLink, type InviteRef } from '../../preload/contract';
import { toBase64url } from '../../signaling-server/identity';
import { userIdSchema } from '../../signaling-server/protocol';
import { log } from '../log';
import { inviteSecretSchema } from './types';

export type { InviteRef };

/** 16 random bytes in base64url: 22 characters. */
export function newInviteSecret(): string {
  return toBase64url(crypto.getRandomValues(new Uint8Array(16)));
}

export function inviteCode(invite: InviteRef): string {
  return `${invite.userId}.${invite.secret}`;
}

export function desktopInviteLink(invite: InviteRef): string {
  return `parley://add/${invite.userId}/${invite.secret}`;
}

/** `origin` is the server's (the page's) origin, e.g. https://chat.example.org. */
export function webInviteLink(origin: string, invite: InviteRef): string {
  return `${origin.replace(/\/+$/, '')}/#add/${invite.userId}/${invite.secret}`;
}

function checked(userId: string | undefined, secret: string | undefined): InviteRef | null {
  const id = userIdSchema.safeParse(userId);
  const sec = inviteSecretSchema.safeParse(secret);
  return id.success && sec.success ? { userId: id.data, secret: sec.data } : null;
}

/** A `#add/<userId>/<secret>` location hash (with or without the `#`), or null. */
export function parseInviteHash(hash: string): InviteRef | null {
  const match = /^#?add\/([^/]+)\/([^/]+)\/?$/.exec(hash);
  return match ? checked(match[1], match[2]) : null;
}

/**
 * What the person pasted or typed: a code, a parley:// link or an https link with
 * `#add/...`. Surrounding spaces are ignored; anything else is null.
 */
export function parseInvite(text: string): InviteRef | null {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 2048) return null;
  const code = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(trimmed);
  if (code) return checked(code[1], code[2]);
  if (/^parley:/i.test(trimmed)) return parseInviteLink(trimmed);
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      return parseInviteHash(new URL(trimmed).hash);
    } catch (error) {
      // Expected for text that only starts like a link: it is not an invite, and the dialog says so.
      log.child('contacts.invite').debug('pasted text is not a URL', error);
      return null;
    }
  }
  return null;
}

/**
 * The browser build's invite link lands on the page as `#add/<userId>/<secret>`:
 * hands it to `listener` (now, and on later hash changes) and takes it out of the
 * address bar, so a reload does not ask again and the secret does not linger.
 */
export function watchInviteHash(listener: (invite: InviteRef) => void, win: Window | undefined = globalThis.window): () => void {
  if (win === undefined) return () => {};
  const check = (): void => {
    const invite = parseInviteHash(win.location.hash);
    if (invite === null) return;
    win.history.replaceState(null, '', win.location.pathname + win.location.search);
    listener(invite);
  };
  // After the caller has its unsubscribe in hand, as the host's other events.
  queueMicrotask(check);
  win.addEventListener('hashchange', check);
  return () => win.removeEventListener('hashchange', check);
}
