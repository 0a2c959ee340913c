/**
 * The signaling server inside the app, when settings.server.mode is 'host' (the
 * first-run default): one person runs Parley, and others call them from their own
 * Parley or from a browser pointed at http://<their-ip>:<port>/ (clientDir serves
 * the renderer build for that).
 *
 * Start, restart (when host, port, LAN, password or this machine's addresses
 * change) and stop are serialised, so a quick series of settings changes never
 * leaves two servers or none.
 *
 * The server accepts only the app's own origin and the pages it serves itself, and
 * only Host headers naming this machine (server/serverAccess.ts): any web page the
 * user opens could otherwise reach ws://127.0.0.1:<port>. It keeps its membership
 * key in `dataDir`, so a call can be rejoined after the app restarts.
 */
import { mkdir } from 'node:fs/promises';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import type { ServerChoice, ServerEndpoint } from '../preload/contract';
import { accessPolicy, lanAddressesFrom } from './server/serverAccess';
import type { Notify } from './window/rendererEvents';

export interface SignalingServerHandle {
  url: string;
  address: { host: string; port: number };
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
  /** Where the server keeps what must survive a restart (<userData>/server); null: memory only. */
  dataDir?: string | null;
  /** Default: os.networkInterfaces() and os.hostname(), read at each start. */
  addresses?: () => MachineAddresses;
}

interface HostConfig {
  host: string;
  port: number;
  password: string;
  lan: boolean;
}

export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ServerStartError';
  }
}

export function hostConfigFor(choice: Extract<ServerChoice, { mode: 'host' }>): HostConfig {
  return { host: choice.lan ? '0.0.0.0' : '127.0.0.1', port: choice.port, password: choice.password, lan: choice.lan };
}

export function startFailureMessage(config: HostConfig, code: string | undefined, detail: string): string {
  if (code === 'EADDRINUSE') {
    return `Parley could not start its server on port ${config.port}: another program is using that port. Choose another port in Settings → Server (or close the other program), or connect to a server elsewhere.`;
  }
  if (code === 'EACCES') {
    return `Parley is not allowed to listen on port ${config.port}. Choose a port above 1024 in Settings → Server.`;
  }
  return `Parley could not start its server on ${config.host}:${config.port} (${detail}). Try another port in Settings → Server, or connect to a server elsewhere.`;
}

export class EmbeddedServer {
  private running: { key: string; config: HostConfig; handle: SignalingServerHandle } | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: EmbeddedServerOptions) {}

  /** Where the renderer connects for `choice`; starts the server first when hosting. */
  endpoint(choice: ServerChoice): Promise<ServerEndpoint> {
    return this.serialised(async () => {
      if (choice.mode === 'remote') {
        await this.stopNow();
        return { urls: [...choice.urls], password: choice.password };
      }
      const handle = await this.ensure(hostConfigFor(choice));
      return { urls: [`http://127.0.0.1:${handle.address.port}`], password: choice.password };
    });
  }

  /** Settings changed: follow them (start, restart or stop). Failures are already noticed. */
  apply(choice: ServerChoice): Promise<void> {
    return this.serialised(async () => {
      if (choice.mode === 'remote') {
        await this.stopNow();
        return;
      }
      try {
        await this.ensure(hostConfigFor(choice));
      } catch {
        // ensure() told the person; the next getServerEndpoint will try again.
      }
    });
  }

  stop(): Promise<void> {
    return this.serialised(() => this.stopNow());
  }

  /** The listening address while hosting, else null. */
  address(): { host: string; port: number } | null {
    return this.running?.handle.address ?? null;
  }

  private async ensure(config: HostConfig): Promise<SignalingServerHandle> {
    const machine = config.lan ? (this.options.addresses ?? machineAddresses)() : { lanAddresses: [], hostname: '' };
    const access = accessPolicy({ port: config.port, lan: config.lan, ...machine });
    const key = JSON.stringify({ config, access });
    if (this.running?.key === key) return this.running.handle;
    await this.stopNow();
    const { logger, notify, dataDir } = this.options;
    try {
      if (dataDir) await mkdir(dataDir, { recursive: true, mode: 0o700 });
      const handle = await this.options.createServer({
        host: config.host,
        port: config.port,
        password: config.password,
        clientDir: this.options.clientDir,
        logger: logger.child({ component: 'signaling-server' }),
        allowedOrigins: access.allowedOrigins,
        allowedHosts: access.allowedHosts,
        ...(dataDir ? { dataDir } : {}),
      });
      this.running = { key, config, handle };
      logger.info({ host: config.host, port: handle.address.port }, 'embedded signaling server started');
      if (config.host === '0.0.0.0' && config.password === '') {
        notify(
          'warning',
          `Your Parley server on port ${handle.address.port} accepts anyone on your network without a password. Set one in Settings → Server.`,
        );
      }
      return handle;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      const detail = error instanceof Error ? error.message : String(error);
      const message = startFailureMessage(config, code, detail);
      logger.error({ host: config.host, port: config.port, code, err: error }, 'embedded signaling server did not start');
      notify('error', message);
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
