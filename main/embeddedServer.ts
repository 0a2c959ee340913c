/**
 * The signaling server inside the app, when settings.server.mode is `local` (the
 * first-run default: 127.0.0.1, plain http, nothing leaves this computer) or `lan`
 * (issue 13: every interface, https + wss with a self-signed certificate kept in
 * `dataDir`, always a password, announced on the network by mDNS, STUN/TURN handed
 * to callers). Others call from their own Parley or from a browser pointed at
 * https://<this computer's address>:<port>/ (clientDir serves the renderer build).
 *
 * Start, restart (when mode, port, password, STUN/TURN or this machine's addresses
 * change) and stop are serialised, so a quick series of settings changes never
 * leaves two servers or none; each change is reported to `onStatus` listeners
 * (the renderer's Settings → Server and "Share how to join").
 *
 * The server accepts only the app's own origin and the pages it serves itself, and
 * only Host headers naming this machine (server/serverAccess.ts): any web page the
 * user opens could otherwise reach ws://127.0.0.1:<port>. It keeps its membership
 * key in `dataDir`, so a call can be rejoined after the app restarts.
 */
import { mkdir } from 'node:fs/promises';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import type { HostedServer, ServerChoice, ServerEndpoint } from '../preload/contract';
import { defaultServerName } from '../signaling-server/mdns';
import { accessPolicy, lanAddressesFrom, urlHost } from './server/serverAccess';
import { ENGLISH, type MainText } from './i18n';
import type { Notify } from './window/rendererEvents';

export interface SignalingServerHandle {
  url: string;
  address: { host: string; port: number };
  /** With TLS: the certificate's SHA-256 fingerprint (AB:CD:…). */
  readonly tlsFingerprint: string | null;
  close(): Promise<void>;
}

/** The shape of signaling-server/index.ts's createSignalingServer that this uses. */
export type SignalingServerFactory = (options: {
  host?: string;
  port?: number;
  password?: string;
  clientDir?: string | null;
  logger?: Logger;
  allowedOrigins?: string[];
  allowedHosts?: string[];
  dataDir?: string;
  tls?: { selfSigned: true } | null;
  mdns?: boolean;
  serverName?: string;
  stunUrls?: string[];
  turn?: { urls: string[]; secret: string } | null;
}) => Promise<SignalingServerHandle>;

/** This machine as others on the network see it (LAN mode). */
export interface MachineAddresses {
  lanAddresses: string[];
  hostname: string;
}

export function machineAddresses(): MachineAddresses {
  return { lanAddresses: lanAddressesFrom(networkInterfaces()), hostname: osHostname() };
}

export interface EmbeddedServerOptions {
  createServer: SignalingServerFactory;
  /** dist/renderer, so browsers on the LAN get the app from this server. */
  clientDir: string | null;
  logger: Logger;
  notify: Notify;
  /** Words what the person is told in the UI's language of the moment (MainLocale.text); English when absent. */
  text?: MainText;
  /** Where the server keeps what must survive a restart (<userData>/server); null: memory only. */
  dataDir?: string | null;
  /** Default: os.networkInterfaces() and os.hostname(), read at each start. */
  addresses?: () => MachineAddresses;
  /**
   * Tests: where LAN mode listens (default every interface, 0.0.0.0) and whether it
   * announces itself by mDNS (default yes), so LAN mode runs for real on loopback.
   */
  lanOverrides?: { listenHost?: string; announce?: boolean };
}

export interface HostConfig {
  mode: 'local' | 'lan';
  host: string;
  port: number;
  password: string;
  lan: boolean;
  stunUrls: string[];
  turn: { urls: string[]; secret: string } | null;
}

/** The loopback names this app's own window may use for its own server. */
const OWN_LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ServerStartError';
  }
}

export function hostConfigFor(choice: ServerChoice & { mode: 'local' | 'lan' }): HostConfig {
  const lan = choice.mode === 'lan';
  const { host } = choice;
  return {
    mode: choice.mode,
    host: lan ? '0.0.0.0' : '127.0.0.1',
    port: host.port,
    password: host.password,
    lan,
    stunUrls: [...host.stunUrls],
    turn: host.turnUrls.length > 0 ? { urls: [...host.turnUrls], secret: host.turnSecret } : null,
  };
}

const isHosting = (choice: ServerChoice): choice is ServerChoice & { mode: 'local' | 'lan' } => choice.mode !== 'off';

/** The addresses others can reach: link-local IPv6 needs a zone id no URL carries, so it is left out; IPv4 first. */
export function reachableAddresses(addresses: readonly string[]): string[] {
  const usable = addresses.filter((a) => !/^fe80:/i.test(a));
  return [...usable.filter((a) => !a.includes(':')), ...usable.filter((a) => a.includes(':'))];
}

/** Why the server did not start, in `text`'s language (the UI's; English by default); the system's own words stay as the detail. */
export function startFailureMessage(config: HostConfig, code: string | undefined, detail: string, text: MainText = ENGLISH): string {
  if (code === 'EADDRINUSE') return text('mainServer.portInUse', { port: config.port });
  if (code === 'EACCES') return text('mainServer.portNotAllowed', { port: config.port });
  return text('mainServer.startFailed', { host: config.host, port: config.port, reason: detail });
}

export type HostedServerListener = (status: HostedServer) => void;

export class EmbeddedServer {
  private running: { key: string; config: HostConfig; handle: SignalingServerHandle; machine: MachineAddresses } | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private current: HostedServer = { state: 'off' };
  private readonly listeners = new Set<HostedServerListener>();

  constructor(private readonly options: EmbeddedServerOptions) {}

  /** Where the renderer connects for `choice`; starts the server first when hosting. */
  endpoint(choice: ServerChoice): Promise<ServerEndpoint> {
    return this.serialised(async () => {
      if (!isHosting(choice)) {
        await this.stopNow();
        this.setStatus({ state: 'off' });
        // The failover list in order, each server with its own password.
        return {
          urls: choice.join.map((server) => server.url),
          password: choice.join[0]?.password ?? '',
          passwords: choice.join.map((server) => server.password),
        };
      }
      const handle = await this.ensure(hostConfigFor(choice));
      return { urls: [this.localUrl(handle)], password: choice.host.password };
    });
  }

  /** Settings changed: follow them (start, restart or stop). Failures are already noticed. */
  apply(choice: ServerChoice): Promise<void> {
    return this.serialised(async () => {
      if (!isHosting(choice)) {
        await this.stopNow();
        this.setStatus({ state: 'off' });
        return;
      }
      try {
        await this.ensure(hostConfigFor(choice));
      } catch (error) {
        // ensure() told the person and logged it; the next getServerEndpoint will try again.
        this.options.logger.debug({ err: error }, 'embedded server not started after a settings change');
      }
    });
  }

  stop(): Promise<void> {
    return this.serialised(async () => {
      await this.stopNow();
      this.setStatus({ state: 'off' });
    });
  }

  /** The listening address while hosting, else null. */
  address(): { host: string; port: number } | null {
    return this.running?.handle.address ?? null;
  }

  /** The embedded server now, as the renderer sees it. */
  status(): HostedServer {
    return this.current;
  }

  onStatus(listener: HostedServerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * While hosting with TLS: its fingerprint and the hosts it is reached by from this
   * machine (loopback and this machine's addresses), for certificate pinning.
   */
  ownCertificate(): { fingerprint: string; ownHosts: string[] } | null {
    const running = this.running;
    const fingerprint = running?.handle.tlsFingerprint ?? null;
    if (running === null || fingerprint === null) return null;
    return { fingerprint, ownHosts: [...OWN_LOOPBACK, ...running.machine.lanAddresses] };
  }

  private localUrl(handle: SignalingServerHandle): string {
    return `${handle.tlsFingerprint === null ? 'http' : 'https'}://127.0.0.1:${handle.address.port}`;
  }

  private setStatus(status: HostedServer): void {
    if (JSON.stringify(status) === JSON.stringify(this.current)) return;
    this.current = status;
    for (const listener of [...this.listeners]) {
      try {
        listener(status);
      } catch (error) {
        this.options.logger.error({ err: error }, 'a hosted-server listener failed');
      }
    }
  }

  private async ensure(config: HostConfig): Promise<SignalingServerHandle> {
    const machine = config.lan ? (this.options.addresses ?? machineAddresses)() : { lanAddresses: [], hostname: '' };
    const access = accessPolicy({ port: config.port, lan: config.lan, tls: config.lan, ...machine });
    const key = JSON.stringify({ config, access });
    if (this.running?.key === key) return this.running.handle;
    await this.stopNow();
    const { logger, notify, dataDir } = this.options;
    this.setStatus({ state: 'starting', mode: config.mode, port: config.port });
    const serverName = config.lan ? defaultServerName() : null;
    try {
      if (config.lan && !dataDir) {
        throw new Error('hosting for the network needs a folder for its certificate (so its fingerprint survives a restart)');
      }
      if (dataDir) await mkdir(dataDir, { recursive: true, mode: 0o700 });
      const overrides = config.lan ? (this.options.lanOverrides ?? {}) : {};
      const announce = config.lan && overrides.announce !== false;
      const handle = await this.options.createServer({
        host: overrides.listenHost ?? config.host,
        port: config.port,
        password: config.password,
        clientDir: this.options.clientDir,
        logger: logger.child({ component: 'signaling-server' }),
        allowedOrigins: access.allowedOrigins,
        allowedHosts: access.allowedHosts,
        ...(dataDir ? { dataDir } : {}),
        // LAN: other computers' browsers need https for a camera, and the password must not cross the network readable.
        tls: config.lan ? { selfSigned: true } : null,
        mdns: announce,
        ...(announce && serverName !== null ? { serverName } : {}),
        stunUrls: config.stunUrls,
        turn: config.turn,
      });
      this.running = { key, config, handle, machine };
      logger.info(
        { host: config.host, port: handle.address.port, tlsFingerprint: handle.tlsFingerprint },
        'embedded signaling server started',
      );
      this.setStatus({
        state: 'running',
        mode: config.mode,
        port: handle.address.port,
        localUrl: this.localUrl(handle),
        urls: config.lan
          ? reachableAddresses(machine.lanAddresses).map((a) => `${handle.tlsFingerprint === null ? 'http' : 'https'}://${urlHost(a)}:${handle.address.port}`)
          : [],
        fingerprint: handle.tlsFingerprint,
        passwordRequired: config.password !== '',
        announcedAs: announce ? serverName : null,
      });
      if (config.host === '0.0.0.0' && config.password === '') {
        notify('warning', (this.options.text ?? ENGLISH)('mainServer.noPassword', { port: handle.address.port }));
      }
      return handle;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      const detail = error instanceof Error ? error.message : String(error);
      const message = startFailureMessage(config, code, detail, this.options.text ?? ENGLISH);
      logger.error({ host: config.host, port: config.port, code, err: error }, 'embedded signaling server did not start');
      notify('error', message);
      // The contract carries at most 1000 characters; the notice above has the whole text.
      this.setStatus({ state: 'failed', mode: config.mode, port: config.port, message: message.slice(0, 1000) });
      throw new ServerStartError(message, code);
    }
  }

  private async stopNow(): Promise<void> {
    const running = this.running;
    if (running === null) return;
    this.running = null;
    try {
      await running.handle.close();
      this.options.logger.info({ port: running.handle.address.port }, 'embedded signaling server stopped');
    } catch (error) {
      this.options.logger.error({ err: error }, 'embedded signaling server did not close cleanly');
    }
  }

  private serialised<T>(run: () => Promise<T>): Promise<T> {
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }
}
