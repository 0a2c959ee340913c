/**
 * The server under test, alone in its own process so that its heap holds nothing
 * but the server: `node --expose-gc --import tsx serverProcess.ts parley|bare [dist/server/index.js]`.
 *
 * - parley: the real createSignalingServer from the built bundle, as `parley-server`
 *   runs it, with logging off and the per-socket rate limit and the device cap
 *   raised so that the load generators measure the relay, not the abuse limits (the
 *   idle users have 50 devices each; the default cap is 8);
 * - bare: the bare socket.io relay (../bareRelay.ts) with the same transport settings.
 *
 * Memory is reported over IPC on request, after two forced full GCs (the second
 * collects what the first one's finalizers released). Nothing here is product code.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { createSignalingServer as CreateSignalingServer } from '../../../signaling-server/index';
import { startBareRelay } from '../bareRelay';
import { serverKindSchema, toServerSchema, type FromServer } from './messages';

/** Far above the load: every limit at the schema's maximum. */
const BENCH_RATE_LIMIT = { capacity: 1_000_000, refillPerSecond: 1_000_000, maxViolations: 1_000_000, windowMs: 1_000 };
/** The most devices a user may have online (options.ts allows 1–64): above the population's devicesPerUser. */
const BENCH_MAX_DEVICES_PER_USER = 64;

function send(message: FromServer): void {
  process.send?.(message);
}

async function loadParley(bundle: string): Promise<typeof CreateSignalingServer> {
  const mod: unknown = await import(pathToFileURL(bundle).href);
  const create = typeof mod === 'object' && mod !== null && 'createSignalingServer' in mod ? mod.createSignalingServer : undefined;
  if (typeof create !== 'function') {
    throw new Error(`${bundle} does not export createSignalingServer: build the server first (npm run build:server).`);
  }
  return create as typeof CreateSignalingServer;
}

async function start(): Promise<string> {
  const kind = serverKindSchema.parse(process.argv[2]);
  // The reconnect storm restarts the server on the same port (and Parley with the same membership secret).
  const port = Number(process.env.BENCH_SERVER_PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`serverProcess: BENCH_SERVER_PORT must be a port number, not "${process.env.BENCH_SERVER_PORT}"`);
  if (kind === 'bare') return (await startBareRelay({ port })).url;
  const bundle = process.argv[3];
  if (!bundle) throw new Error('serverProcess: parley needs the path of the built server bundle (dist/server/index.js).');
  const createSignalingServer = await loadParley(bundle);
  const membershipSecret = process.env.BENCH_MEMBERSHIP_SECRET;
  const server = await createSignalingServer({
    host: '127.0.0.1',
    port,
    logLevel: 'silent',
    rateLimit: BENCH_RATE_LIMIT,
    maxDevicesPerUser: BENCH_MAX_DEVICES_PER_USER,
    ...(membershipSecret === undefined ? {} : { membershipSecret }),
  });
  return server.url;
}

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
/** GC pauses (start, duration) as the observer delivers them, some time after they happened. */
const gcPauses: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push({ start: entry.startTime, duration: entry.duration });
}).observe({ entryTypes: ['gc'] });
/** performance.now() after the last report's forced GCs: pauses before it are counted already, or ours. */
let reportedUntil = 0;

function measure(): FromServer {
  if (typeof gc !== 'function') throw new Error('serverProcess needs --expose-gc to measure the heap after a full GC.');
  const cpu = process.cpuUsage();
  const pauses = gcPauses.splice(0).flatMap((p) => (p.start >= reportedUntil ? [p.duration] : []));
  const report = {
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    gcPauses: pauses.length,
    gcPauseTotalMs: pauses.reduce((a, b) => a + b, 0),
    gcPauseMaxMs: pauses.reduce((a, b) => Math.max(a, b), 0),
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
  };
  gc();
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  reportedUntil = performance.now();
  loopDelay.reset();
  return { type: 'memory', heapUsed, rss, ...report };
}

process.on('message', (raw: unknown) => {
  const message = toServerSchema.safeParse(raw);
  if (!message.success) return send({ type: 'failed', message: `serverProcess: unexpected IPC message ${JSON.stringify(raw)}` });
  try {
    if (message.data.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', cpuUserUs: user, cpuSystemUs: system });
      return;
    }
    send(measure());
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
});

// A profiled server (PARLEY_BENCH_SERVER_PROF, processes.ts) is stopped with SIGTERM: exiting writes its --cpu-prof profile.
process.on('SIGTERM', () => process.exit(0));

start().then(
  (url) => send({ type: 'ready', url }),
  (error: unknown) => {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
  },
);
