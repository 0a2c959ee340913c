/**
 * parley://call/<userId>[?media=video], parley://add/<userId>/<secret> (an
 * invite to become contacts, issue 12) and parley://join?server=…&fp=…[&password=…]
 * (an invitation to join a server, issue 13: forwarded as `joinOpened`, and the
 * renderer asks before it joins) links: from the OS (open-url on macOS), from
 * a second launch's command line (Windows/Linux pass the link as an argument), and
 * from the first launch's own command line. Parsing is the contract's parseDeepLink;
 * anything it refuses is ignored and logged. Nothing dials from here: the request
 * goes to the renderer marked `via: 'link'`, which shows who would be called and
 * waits for the user to choose audio or video (issue 10: any page can open a link);
 * an invite goes to the renderer as `inviteOpened`, which asks "Add …?" before it
 * sends the contact request.
 */
import type { Logger } from 'pino';
import { EVENT_CHANNELS, parseDeepLink, parseInviteLink, parseJoinLink } from '../../preload/contract';
import type { RendererEvents } from '../window/rendererEvents';
import type { WindowControl } from '../window/windowControl';

export const DEEP_LINK_SCHEME = 'parley';

/** The first argument that is a parley: URL (Chromium switches and paths are skipped). */
export function deepLinkFromArgv(argv: readonly string[]): string | null {
  for (const arg of argv) {
    if (typeof arg === 'string' && arg.length <= 2048 && arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) return arg;
  }
  return null;
}

export interface DeepLinkOptions {
  events: RendererEvents;
  window: WindowControl;
  logger: Logger;
}

export class DeepLinkRouter {
  constructor(private readonly options: DeepLinkOptions) {}

  /** True when the link was a valid call or invite link and was passed on. */
  open(raw: string): boolean {
    const invite = parseInviteLink(raw);
    if (invite !== null) {
      this.options.window.show();
      // Queued until the renderer listens, as call links are; the renderer asks before it sends anything.
      this.options.events.send(EVENT_CHANNELS.inviteOpened, invite);
      return true;
    }
    // Only parley://join: an https …/#join address is the browser build's, never the OS's to hand us.
    const join = raw.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`) ? parseJoinLink(raw) : null;
    if (join !== null) {
      this.options.window.show();
      // Queued until the renderer listens; it shows the server and fingerprint and asks before it joins.
      this.options.events.send(EVENT_CHANNELS.joinOpened, join);
      return true;
    }
    const request = parseDeepLink(raw);
    if (request === null) {
      // The secret of an invite link and a join link's password are not logged: only the start.
      this.options.logger.warn(
        { link: raw.slice(0, 40) },
        'ignored a deep link that is not parley://call/<userId>, parley://add/<userId>/<secret> or parley://join?server=<https URL>&fp=<fingerprint>',
      );
      return false;
    }
    this.options.window.show();
    // Queued by RendererEventQueue until the renderer listens, so a cold start by link works too.
    // Marked as a link: any web page can open one, so the renderer asks before it dials.
    this.options.events.send(EVENT_CHANNELS.callRequested, { ...request, via: 'link' });
    return true;
  }

  openFromArgv(argv: readonly string[]): boolean {
    const link = deepLinkFromArgv(argv);
    return link === null ? false : this.open(link);
  }
}
