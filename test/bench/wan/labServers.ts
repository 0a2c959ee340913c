/**
 * Runs inside the lab's server namespace (started by labRig.ts): Parley's signaling
 * server (the bench's built bundle, serving the built client) and the bare
 * socket.io relay serving the reference pages, both on this host's lab address.
 * Prints one JSON line, {"ready": true, parleyUrl, relayUrl}, or exits non-zero
 * with the reason on stderr. Ends on SIGTERM (or the lab's SIGKILL).
 *
 * Usage: node --import tsx test/bench/wan/labServers.ts --server FILE --client DIR
 *        --host ADDRESS --parley-port N --relay-port N
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { createSignalingServer as CreateSignalingServer } from '../../../signaling-server/index';
import { startBareRelay } from '../bareRelay';
import { BENCH_INVITE_LIMITS } from '../benchLimits';

export const REFERENCE_PAGES = {
  '/': fileURLToPath(new URL('../reference/index.html', import.meta.url)),
  '/preconnected': fileURLToPath(new URL('../reference/preconnected.html', import.meta.url)),
};

function port(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`--${name} takes a port number (1–65535), not "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string' },
      client: { type: 'string' },
      host: { type: 'string' },
      'parley-port': { type: 'string' },
      'relay-port': { type: 'string' },
    },
  });
  if (!values.server || !values.client || !values.host) throw new Error('labServers.ts needs --server FILE, --client DIR and --host ADDRESS');
  const mod: unknown = await import(pathToFileURL(values.server).href);
  const create = typeof mod === 'object' && mod !== null && 'createSignalingServer' in mod ? mod.createSignalingServer : undefined;
  if (typeof create !== 'function') throw new Error(`${values.server} does not export createSignalingServer: run npm run build:server.`);
  const server = await (create as typeof CreateSignalingServer)({
    host: values.host,
    port: port(values['parley-port'], 'parley-port'),
    clientDir: values.client,
    logLevel: 'warn',
    inviteLimits: BENCH_INVITE_LIMITS,
  });
  const relay = await startBareRelay({ pages: REFERENCE_PAGES, host: values.host, port: port(values['relay-port'], 'relay-port') });
  const stop = async (): Promise<void> => {
    await relay.close();
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  console.log(JSON.stringify({ ready: true, parleyUrl: server.url, relayUrl: relay.url }));
}

main().catch((error: unknown) => {
  console.error(`labServers: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
