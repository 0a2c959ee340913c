/**
 * The desktop app's server logic (main/), run inside a lab namespace by
 * test/lab/desktopHost.test.ts (`ip netns exec … node --import tsx test/lab/desktopProbe.ts …`).
 * Electron is not needed: these are main's services with the real signaling server.
 * Each prints JSON lines on stdout.
 *
 *   host-lan PORT DATA_DIR PASSWORD   EmbeddedServer in LAN mode (every interface, self-signed TLS, mDNS);
 *                                     {"status":…} on every change; {"endpoint":…,"startMs"} once started
 *   discover WAIT_MS NAME             ServerDiscovery (mDNS browse): {"servers":[…],"elapsedMs"} once NAME is listed or WAIT_MS passed
 *   probe URL FINGERPRINT|-           probeServer (the pinning decision over a TLS handshake): {"probe":…}
 */
import { pino } from 'pino';
import { DEFAULT_SETTINGS, type ServerChoice } from '../../preload/contract';
import { EmbeddedServer } from '../../main/embeddedServer';
import { ServerDiscovery } from '../../main/server/serverDiscovery';
import { probeServer } from '../../main/server/serverProbe';
import { createSignalingServer } from '../../signaling-server/index';

const print = (obj: object): void => {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
};
const logger = pino({ level: 'warn' }, pino.destination(2));

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'host-lan': {
      const [port, dataDir, password] = [Number(args[0]), args[1] ?? '', args[2] ?? ''];
      const server = new EmbeddedServer({
        createServer: createSignalingServer,
        clientDir: null,
        logger,
        notify: (level, message) => print({ notice: { level, message } }),
        dataDir,
      });
      server.onStatus((status) => print({ status }));
      const choice: ServerChoice = { mode: 'lan', join: [], host: { ...DEFAULT_SETTINGS.server.host, port, password } };
      const started = performance.now();
      const endpoint = await server.endpoint(choice);
      print({ endpoint, startMs: Math.round(performance.now() - started) });
      process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
      return;
    }
    case 'discover': {
      const [waitMs, name] = [Number(args[0]), args[1] ?? ''];
      let finish: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (finish = resolve));
      const discovery = new ServerDiscovery({
        onChange: (servers) => {
          if (servers.some((s) => s.name === name)) finish();
        },
        logger,
        refreshMs: 1_000,
      });
      const started = performance.now();
      discovery.start();
      const timer = setTimeout(finish, waitMs);
      await done;
      clearTimeout(timer);
      print({ servers: discovery.list(), elapsedMs: Math.round(performance.now() - started) });
      await discovery.stop();
      return;
    }
    case 'probe': {
      const [url, fingerprint] = [args[0] ?? '', args[1] ?? '-'];
      print({ probe: await probeServer({ url, fingerprint: fingerprint === '-' ? null : fingerprint }) });
      return;
    }
    default:
      throw new Error(`unknown command ${String(command)}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`desktopProbe: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
