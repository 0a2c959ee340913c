/**
 * The server under attack, alone in its own process so that the attackers' and
 * the honest clients' work stays out of its event loop:
 * `node --import tsx abuseServer.ts dist/server/index.js`.
 *
 * It runs as `parley-server --password …` would, with every default limit (no
 * raised rate limits, unlike the relay benchmark: the limits are what is
 * measured), logging at info into a counter (and /dev/null) instead of stderr:
 * the benchmark reports how many lines and bytes an attack makes the server write.
 */
import { openSync, writeSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import type { createSignalingServer as CreateSignalingServer } from '../../../signaling-server/index';
import { toServerSchema, type FromServer, type ServerSample } from './messages';

export const BENCH_PASSWORD = 'abuse-bench-password';

function send(message: FromServer): void {
  process.send?.(message);
}

let logLines = 0;
let logBytes = 0;
// Each line is also written synchronously to /dev/null: the system call a
// production server pays per line (logger.ts writes to stderr synchronously),
// without a disk or a terminal in the measurement.
const devNull = openSync('/dev/null', 'w');
const counter = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logBytes += chunk.length;
    for (const byte of chunk) if (byte === 10) logLines += 1;
    writeSync(devNull, chunk);
    done();
  },
});

async function start(): Promise<string> {
  const bundle = process.argv[2];
  if (!bundle) throw new Error('abuseServer needs the path of the built server bundle (dist/server/index.js).');
  const mod: unknown = await import(pathToFileURL(bundle).href);
  const create = typeof mod === 'object' && mod !== null && 'createSignalingServer' in mod ? mod.createSignalingServer : undefined;
  if (typeof create !== 'function') throw new Error(`${bundle} does not export createSignalingServer: run npm run build:server.`);
  const server = await (create as typeof CreateSignalingServer)({
    host: '127.0.0.1',
    port: 0,
    password: BENCH_PASSWORD,
    logger: pino({ level: 'info' }, counter),
  });
  return server.url;
}

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let lastCpu = process.cpuUsage();
let lastWall = performance.now();

function sample(): ServerSample {
  const cpu = process.cpuUsage(lastCpu);
  const now = performance.now();
  const result: ServerSample = {
    logLines,
    logBytes,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: now - lastWall,
  };
  logLines = 0;
  logBytes = 0;
  loopDelay.reset();
  lastCpu = process.cpuUsage();
  lastWall = now;
  return result;
}

process.on('message', (raw: unknown) => {
  if (!toServerSchema.safeParse(raw).success) {
    send({ type: 'failed', message: `abuseServer: unexpected IPC message ${JSON.stringify(raw)}` });
    return;
  }
  send({ type: 'sample', sample: sample() });
});

start().then(
  (url) => send({ type: 'ready', url, password: BENCH_PASSWORD }),
  (error: unknown) => {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
  },
);
