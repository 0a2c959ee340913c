/**
 * "Parley servers on your network" for the renderer: mDNS browsing
 * (signaling-server/mdns.ts browseServers) that runs only while someone looks at the
 * list. It starts on the renderer's request, sends the whole list on each change,
 * and stops when asked, when the window goes away, or after `idleMs` without a new
 * request (so a forgotten screen does not keep a multicast socket open for ever).
 * Every record is checked twice: by mdns.ts (the TXT record) and against the bridge
 * contract's schema before it crosses to the renderer.
 */
import type { Logger } from 'pino';
import { discoveredServerSchema, type DiscoveredServer } from '../../preload/contract';
import { browseServers, type BrowseOptions, type ServerBrowser } from '../../signaling-server/mdns';

export const DISCOVERY_IDLE_MS = 5 * 60_000;
/** mDNS answers can be lost: ask again this often while the list is open. */
export const DISCOVERY_REFRESH_MS = 3_000;

export interface ServerDiscoveryOptions {
  /** Default: browseServers (bonjour-service). */
  browse?: (options: BrowseOptions) => ServerBrowser;
  /** The whole list, each time it changes. */
  onChange(servers: DiscoveredServer[]): void;
  logger: Logger;
  idleMs?: number;
  refreshMs?: number;
}

export class ServerDiscovery {
  private browser: ServerBrowser | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshTimer: ReturnType<typeof setInterval> | null = null;
  private readonly log: Logger;

  constructor(private readonly options: ServerDiscoveryOptions) {
    this.log = options.logger.child({ component: 'server-discovery' });
  }

  get running(): boolean {
    return this.browser !== null;
  }

  /** Starts looking (or goes on looking) and returns what is known now. */
  start(): DiscoveredServer[] {
    this.armIdle();
    if (this.browser === null) {
      const browse = this.options.browse ?? browseServers;
      const changed = (): void => this.options.onChange(this.list());
      this.browser = browse({ onUp: changed, onDown: changed, log: this.log });
      this.refreshTimer = setInterval(() => this.browser?.refresh(), this.options.refreshMs ?? DISCOVERY_REFRESH_MS);
      this.refreshTimer.unref?.();
      this.log.info('looking for Parley servers on the local network');
    }
    return this.list();
  }

  async stop(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    if (this.refreshTimer !== null) clearInterval(this.refreshTimer);
    this.idleTimer = null;
    this.refreshTimer = null;
    if (browser === null) return;
    try {
      await browser.stop();
      this.log.info('stopped looking for Parley servers');
    } catch (error) {
      this.log.warn({ err: error }, 'the mDNS browser did not stop cleanly');
    }
  }

  /** What the browser found, each checked against the contract (a record that fails is left out and logged). */
  list(): DiscoveredServer[] {
    const out: DiscoveredServer[] = [];
    for (const server of this.browser?.servers() ?? []) {
      const parsed = discoveredServerSchema.safeParse(server);
      if (parsed.success) out.push(parsed.data);
      else this.log.info({ instance: String(server.instance).slice(0, 100), issue: parsed.error.issues[0]?.message }, 'left out a discovered server');
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.instance.localeCompare(b.instance)).slice(0, 100);
  }

  private armIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.log.info('nobody asked for the server list for a while: stopping');
      void this.stop();
    }, this.options.idleMs ?? DISCOVERY_IDLE_MS);
    this.idleTimer.unref?.();
  }
}
