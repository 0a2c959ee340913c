/**
 * `npm run bench` (scripts/bench.mjs builds, then runs this with tsx): client
 * weight, call setup and signaling, each against its yardstick in the same run;
 * prints a table and writes bench-results/latest.json and latest.md.
 *
 * Options (after `npm run bench --`):
 *   --only weight,calls,signaling,abuse,wan,latency,sfu,trace,compositor   run some of them (default: the first four;
 *                                   trace: Parley's steps after Accept on loopback, to find where the time goes;
 *                                   compositor: every browser thread's busy time while a call rings and runs;
 *                                   wan and latency need root for the lab network; sfu needs Debian's janus)
 *   --abuse-seconds N               length of each abuse phase (default 8)
 *   --calls N                       timed calls of each kind (default 20), on loopback and on each WAN path
 *   --latency-seconds N             recording time of each glass-to-glass run (default 20)
 *   --wan-paths 0,50,150,150:0.03   the WAN paths to run, as RTT ms[:loss 0-1] (default: those four)
 *   --latency-rounds N              glass-to-glass runs of Parley and of the bare-page yardstick, taking turns,
 *                                   on each path (default 1)
 *   --sizes 1000,5000,10000         signaling sizes (empty: none, e.g. for the fan-out run alone)
 *   --fanout N                      distinct users of the presence fan-out run (default 1000; 0: skip it)
 *   --scale-users N, --scale-rounds N  presence at scale: distinct users (default 10000) and rounds (default 2)
 *   --stall-seconds N               end the run with a report when its main thread is blocked this long (default 300)
 * Benchmarks are not tests: a missed target is printed, never an exit code.
 * An error in one benchmark is reported and the others still run; when the WAN or
 * latency bench cannot run (no lab: not root), the run says why and exits 1.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import type { createSignalingServer as CreateSignalingServer, SignalingServer } from '../../signaling-server/index';
import { launchChromium } from './browser';
import { runCallSetupBench } from './callSetup';
import { runCallTrace } from './callTrace';
import { runCompositorLoad } from './compositorLoad';
import { runSfuBench } from './sfu';
import { runClientWeightBench } from './clientWeight';
import { busiestProcesses, describeMachine, openFileLimit, sampleLoad } from './machine';
import { runAbuseBench } from './abuse/abuseBench';
import { formatText, writeResults, type BenchResults } from './report';
import { chromium } from 'playwright-core';
import { BENCH_CHROMIUM_ARGS } from './browser';
import { LATENCY_CHROMIUM_ARGS, runLatencyBench, runYardstickLatency, type LatencyRun } from './latency/latencyBench';
import { startBareRelay } from './bareRelay';
import { createWanRig } from './wan/labRig';
import { runWanBench, type WanPath } from './wan/wanBench';
import { runSignalingBench } from './signaling/signalingBench';
import { runScaleBench, type ScalePart } from './capacity/scaleBench';
import { benchPhase, startStallWatchdog } from './capacity/stallWatchdog';
import { BENCH_INVITE_LIMITS } from './benchLimits';

const { values } = parseArgs({
  options: {
    client: { type: 'string' },
    server: { type: 'string' },
    out: { type: 'string', default: 'bench-results' },
    only: { type: 'string', default: 'weight,calls,signaling,abuse' },
    'abuse-seconds': { type: 'string', default: '8' },
    calls: { type: 'string', default: '20' },
    'latency-seconds': { type: 'string', default: '20' },
    'latency-rounds': { type: 'string', default: '1' },
    'wan-paths': { type: 'string', default: '' },
    sizes: { type: 'string', default: '1000,5000,10000' },
    fanout: { type: 'string', default: '1000' },
    // presence, capacity, storm (issue 15 items 4-5): not in the default run (tens of thousands of sockets).
    'scale-users': { type: 'string', default: '10000' },
    'scale-capacity': { type: 'string', default: '50000' },
    'scale-storm': { type: 'string', default: '10000' },
    'scale-rounds': { type: 'string', default: '2' },
    'scale-idle-seconds': { type: 'string', default: '60' },
    // The main thread may be blocked this long before the run is ended with a report (capacity/stallWatchdog.ts).
    'stall-seconds': { type: 'string', default: '300' },
  },
});

const log = (line: string): void => console.log(line);
const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

async function loadServerFactory(bundle: string): Promise<typeof CreateSignalingServer> {
  const mod: unknown = await import(pathToFileURL(bundle).href);
  const create = typeof mod === 'object' && mod !== null && 'createSignalingServer' in mod ? mod.createSignalingServer : undefined;
  if (typeof create !== 'function') throw new Error(`${bundle} does not export createSignalingServer: run npm run build:server.`);
  return create as typeof CreateSignalingServer;
}

async function main(): Promise<void> {
  if (!values.client || !values.server) {
    throw new Error('test/bench/main.ts needs --client DIR (the built renderer) and --server FILE (dist/server/index.js); run it through npm run bench.');
  }
  const only = new Set(values.only.split(',').map((s) => s.trim()));
  const benchmarks = ['weight', 'calls', 'trace', 'compositor', 'signaling', 'abuse', 'wan', 'latency', 'sfu', 'presence', 'capacity', 'storm'];
  const unknown = [...only].filter((name) => !benchmarks.includes(name));
  if (unknown.length > 0) throw new Error(`--only: no benchmark called ${unknown.map((n) => `"${n}"`).join(', ')}; the benchmarks are ${benchmarks.join(', ')}`);
  const calls = Number(values.calls);
  if (!Number.isInteger(calls) || calls < 1) throw new Error(`--calls takes a whole number of calls ≥ 1, not "${values.calls}"`);
  const latencySeconds = Number(values['latency-seconds']);
  if (!Number.isFinite(latencySeconds) || latencySeconds < 1) throw new Error(`--latency-seconds takes a number of seconds ≥ 1, not "${values['latency-seconds']}"`);
  const latencyRounds = Number(values['latency-rounds']);
  if (!Number.isInteger(latencyRounds) || latencyRounds < 1) throw new Error(`--latency-rounds takes a whole number ≥ 1, not "${values['latency-rounds']}"`);
  const wanPaths = parseWanPaths(values['wan-paths'] ?? '');
  const stallSeconds = Number(values['stall-seconds']);
  if (!Number.isFinite(stallSeconds) || stallSeconds < 5) throw new Error(`--stall-seconds takes a number of seconds ≥ 5, not "${values['stall-seconds']}"`);
  // A blocked main thread fires no timeout: a worker thread ends such a run with a report.
  startStallWatchdog({ limitMs: stallSeconds * 1000 });
  const [serverBundle, clientDir] = [values.server, values.client];
  const startedAtMs = Number(process.env.BENCH_STARTED_AT ?? Date.now());
  const load = sampleLoad();
  const busyAtStart = busiestProcesses(6);
  const errors: string[] = [];
  const sectionSeconds: Record<string, number> = {};
  const timed = async (name: string, body: () => Promise<void>): Promise<void> => {
    const started = performance.now();
    benchPhase(name);
    try {
      await body();
    } catch (error) {
      errors.push(`${name}: ${describe(error)}`);
    } finally {
      sectionSeconds[name] = Math.round((performance.now() - started) / 100) / 10;
    }
  };
  const results: Omit<BenchResults, 'machine' | 'load' | 'durationSeconds'> = {
    startedAt: new Date(startedAtMs).toISOString(),
    sectionSeconds,
    busyAtStart,
    callSetup: null,
    signaling: null,
    clientWeight: null,
    wan: null,
    latency: null,
    callTrace: null,
    errors,
  };
  /** Parts that could not be measured (wan, latency): the run exits 1. */
  const unmeasured: string[] = [];

  let chromiumVersion: string | null = null;
  if (only.has('weight') || only.has('calls') || only.has('trace') || only.has('compositor')) {
    const createSignalingServer = await loadServerFactory(values.server);
    let server: SignalingServer | null = null;
    let browser: Browser | null = null;
    try {
      server = await createSignalingServer({ host: '127.0.0.1', port: 0, clientDir: values.client, logLevel: 'silent', inviteLimits: BENCH_INVITE_LIMITS });
      browser = await launchChromium();
      chromiumVersion = browser.version();
      const [client, parleyUrl, running] = [values.client, server.url, browser];
      if (only.has('weight')) {
        log('\n== 3. client weight ==');
        await timed('client weight', async () => {
          results.clientWeight = await runClientWeightBench({ browser: running, clientDir: client, parleyUrl, loads: 10, log });
        });
      }
      if (only.has('calls')) {
        log('\n== 1. call setup ==');
        await timed('call setup', async () => {
          results.callSetup = await runCallSetupBench({ browser: running, parleyUrl, calls, ringMs: 1_500, log });
        });
      }
      if (only.has('trace')) {
        log('\n== 1b. where the time after Accept goes ==');
        await timed('call trace', async () => {
          results.callTrace = await runCallTrace({ browser: running, parleyUrl, calls, ringMs: 1_500, log });
        });
      }
      if (only.has('compositor')) {
        log('\n== 1c. what the call screens cost the browser ==');
        await timed('compositor load', async () => {
          results.compositor = await runCompositorLoad({ browser: running, parleyUrl, rounds: 3, log });
        });
      }
    } finally {
      await browser?.close();
      await server?.close();
    }
  }


  if (only.has('wan')) {
    log('\n== 5. call setup on the lab WAN ==');
    await timed('wan', async () => {
      try {
        const rig = await createWanRig({ serverBundle, clientDir, log });
        try {
          results.wan = await runWanBench({ rig, calls, ringMs: 2_000, log, ...(wanPaths ? { paths: wanPaths } : {}) });
        } finally {
          await rig.close();
        }
        for (const f of results.wan.failed) unmeasured.push(`wan, RTT ${f.path.rttMs} ms, loss ${f.path.loss}: ${f.error}`);
      } catch (error) {
        unmeasured.push(`wan: ${describe(error)}`);
        throw error;
      }
    });
  }

  if (only.has('latency')) {
    log('\n== 6. glass-to-glass latency ==');
    const runs: LatencyRun[] = [];
    results.latency = runs;
    await timed('latency loopback', async () => {
      const createSignalingServer = await loadServerFactory(serverBundle);
      const server = await createSignalingServer({ host: '127.0.0.1', port: 0, clientDir, logLevel: 'silent', inviteLimits: BENCH_INVITE_LIMITS });
      const relay = await startBareRelay({ pages: { '/': fileURLToPath(new URL('./reference/index.html', import.meta.url)) } });
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...BENCH_CHROMIUM_ARGS, ...LATENCY_CHROMIUM_ARGS] });
      chromiumVersion ??= browser.version();
      try {
        // Parley and the bare-page yardstick take turns on the same path.
        for (let round = 0; round < latencyRounds; round++) {
          const path = { label: 'loopback', oneWayMs: 0, caller: browser, callee: browser, seconds: latencySeconds, log };
          runs.push(await runLatencyBench({ ...path, parleyUrl: server.url }));
          runs.push(await runYardstickLatency({ ...path, relayUrl: relay.url }));
        }
      } catch (error) {
        unmeasured.push(`latency on loopback: ${describe(error)}`);
        throw error;
      } finally {
        await browser.close();
        await server.close();
        await relay.close();
      }
    });
    await timed('latency WAN', async () => {
      try {
        const rig = await createWanRig({ serverBundle, clientDir, extraArgs: LATENCY_CHROMIUM_ARGS, log });
        try {
          await rig.setPath(50, 0);
          for (let round = 0; round < latencyRounds; round++) {
            const path = { label: 'lab WAN RTT 50 ms', oneWayMs: 25, caller: rig.caller, callee: rig.callee, seconds: latencySeconds, log };
            runs.push(await runLatencyBench({ ...path, parleyUrl: rig.parleyUrl }));
            runs.push(await runYardstickLatency({ ...path, relayUrl: rig.relayUrl }));
          }
        } finally {
          await rig.close();
        }
      } catch (error) {
        unmeasured.push(`latency at RTT 50 ms: ${describe(error)}`);
        throw error;
      }
    });
  }

  if (only.has('signaling')) {
    log('\n== 2. signaling ==');
    // Every socket is an open file: the server process holds N of them.
    const limit = openFileLimit();
    const sizes = values.sizes
      .split(',')
      .filter((s) => s.trim() !== '')
      .map(Number);
    const fanoutUsers = Number(values.fanout);
    for (const n of [...sizes, fanoutUsers]) {
      if (!Number.isInteger(n) || n < 0) throw new Error(`--sizes and --fanout take whole numbers of clients, not "${n}"`);
    }
    const runnable = sizes.filter((n) => limit === null || n + 512 <= limit);
    for (const n of sizes.filter((size) => !runnable.includes(size))) {
      errors.push(`signaling: ${n} clients skipped: the open-file limit is ${limit} (raise it with ulimit -n; scripts/bench.mjs asks for the hard limit)`);
    }
    const parleyBundle = values.server;
    await timed('signaling', async () => {
      results.signaling = await runSignalingBench({
        parleyBundle,
        sizes: runnable,
        relayProcesses: 2,
        idleProcesses: 4,
        pairs: 100,
        devicesPerUser: 50,
        contactsPerUser: 10,
        rate: 2_000,
        windowMs: 500,
        windowsPerServer: 30,
        fanoutUsers,
        log,
      });
    });
  }

  const scaleParts = (['presence', 'capacity', 'storm'] as const).filter((p) => only.has(p));
  if (scaleParts.length > 0) {
    log('\n== 8. presence at scale, capacity, reconnect storm ==');
    // Its own lines and bench-results/scale.json (issue 15 items 4 and 5).
    const whole = (name: string): number => {
      const n = Number(values[name as keyof typeof values]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number ≥ 1, not "${String(values[name as keyof typeof values])}"`);
      return n;
    };
    const scale = {
      presenceUsers: whole('scale-users'),
      capacityClients: whole('scale-capacity'),
      stormClients: whole('scale-storm'),
      rounds: whole('scale-rounds'),
      idleSeconds: whole('scale-idle-seconds'),
    };
    const parleyBundle = values.server;
    await timed('scale', async () => {
      await runScaleBench({
        parleyBundle,
        parts: new Set<ScalePart>(scaleParts),
        ...scale,
        contactsPerUser: 50,
        stormPairs: Math.min(1_000, Math.floor(scale.stormClients / 10)),
        loadProcesses: 6,
        out: values.out,
        log,
      });
    });
  }

  if (only.has('sfu')) {
    log('\n== 7. mesh vs SFU at 5 participants ==');
    // Its own lines and bench-results/sfu.json (issue 17): not in the default run (two five-browser calls).
    const factory = await loadServerFactory(serverBundle);
    await timed('sfu', async () => {
      await runSfuBench({ createSignalingServer: factory, clientDir, out: values.out, log });
    });
  }

  if (only.has('abuse')) {
    log('\n== 4. abuse ==');
    // Its own table and bench-results/abuse.json: the honest call under attack (issue 10).
    const parleyBundle = values.server;
    await timed('abuse', async () => {
      await runAbuseBench({ parleyBundle, phaseMs: Number(values['abuse-seconds']) * 1000, out: values.out, log });
    });
  }

  const full: BenchResults = {
    ...results,
    machine: describeMachine(chromiumVersion),
    load: load.stop(),
    durationSeconds: Math.round((Date.now() - startedAtMs) / 100) / 10,
  };
  log(`\n${formatText(full)}`);
  const written = writeResults(values.out, full);
  log(`\nwrote ${written.json} and ${written.markdown}`);
  if (unmeasured.length > 0) {
    console.error(`\nNot measured (no row was made up for them):\n  ${unmeasured.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(describe(error));
    process.exit(1);
  },
);

/** `--wan-paths`: "RTT[:loss],…" (RTT in ms, 0-1000; loss 0-0.5); empty: the bench's own paths. */
function parseWanPaths(text: string): WanPath[] | null {
  if (text.trim() === '') return null;
  return text.split(',').map((item) => {
    const match = /^\s*(\d+)(?::(0(?:\.\d+)?))?\s*$/.exec(item);
    const rttMs = Number(match?.[1]);
    const loss = Number(match?.[2] ?? 0);
    if (!match || rttMs > 1000 || loss > 0.5) throw new Error(`--wan-paths: "${item}" is not RTT[:loss] (RTT 0-1000 ms, loss 0-0.5), e.g. 150:0.03`);
    return { rttMs, loss };
  });
}
