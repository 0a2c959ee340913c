/**
 * Issue 15 items 4 and 5: presence at scale, capacity and the reconnect storm,
 * Parley's server against the bare socket.io relay (../bareRelay.ts), each in its
 * own process, driven by the signaling bench's load processes (real keys, signed
 * handshakes, every user with `contactsPerUser` mutual contacts).
 *
 * The machine is shared and loaded by others: every comparison runs the two
 * servers one after the other, alternating which goes first from round to round
 * (ABBA…), and reports each round's ratio as well as the ratio of the medians.
 *
 * - presence: `presenceUsers` distinct users (one device each) connect; the time
 *   from the first handshake to the last. Target: Parley ≤ 1.5× the bare relay.
 * - capacity: `capacityClients` idle clients (distinct users) on one server; heap
 *   per client after full GCs (target ≤ 1.0× the bare relay) and the server's CPU
 *   time over `idleSeconds` of idling (ping traffic), per 10,000 clients. Each load
 *   process dials from its own 127.0.0.x so the ephemeral port range does not run
 *   out, and the open-file limit is raised (root) before any process starts.
 * - storm: `stormClients` clients (`stormPairs` calls among them) on a server that
 *   is then killed and started again on the same port with the same membership
 *   secret; the time from the new server's readiness until every client is back
 *   (its welcome, with its presence roster, received) and every call member has
 *   re-attached with `call:rejoin`. The bare relay's row reconnects the same
 *   sockets (nothing to rejoin): the yardstick for the transport alone.
 *
 * Prints one line per run and MET/MISSED verdicts; the raw samples go to
 * `<out>/scale.json`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ratio } from '../stats';
import { mark } from '../targets';
import type { ClientSpec, FromLoad, ServerKind } from '../signaling/messages';
import { buildPopulation, type Population } from '../signaling/population';
import { startLoadProcess, startServer, type LoadProcess, type ServerUnderTest } from '../signaling/processes';
import { measureFanout, prepareClients, type SignalingOptions, type SignalingRun } from '../signaling/signalingBench';
import { benchPhase } from './stallWatchdog';

export type ScalePart = 'presence' | 'capacity' | 'storm';

export interface ScaleOptions {
  parleyBundle: string;
  parts: ReadonlySet<ScalePart>;
  presenceUsers: number;
  contactsPerUser: number;
  /** Rounds of the presence comparison (each: both servers, order alternating). */
  rounds: number;
  capacityClients: number;
  idleSeconds: number;
  stormClients: number;
  stormPairs: number;
  loadProcesses: number;
  out: string;
  log(line: string): void;
}

export const SCALE_TARGETS = { presenceConnectRatio: 1.5, heapPerClientRatio: 1.0, capacityClients: 50_000 } as const;

interface PresenceRound {
  first: ServerKind;
  parley: SignalingRun;
  bare: SignalingRun;
  connectRatio: number;
}

interface CapacityRun {
  kind: ServerKind;
  clients: number;
  connected: number;
  connectMs: number;
  heapPerClientBytes: number;
  rssPerClientBytes: number;
  idleSeconds: number;
  /** Server CPU time (user + system) over the idle period, in ms. */
  idleCpuMs: number;
  /** The same per 10,000 connected clients and per minute. */
  cpuMsPerMinutePer10k: number;
  firstProblem: string | null;
}

interface StormRun {
  kind: ServerKind;
  clients: number;
  connectedBefore: number;
  back: number;
  rejoined: number;
  toRejoin: number;
  failed: number;
  /** From the restarted server's readiness to the last client back (and re-attached). */
  stormMs: number;
  firstProblem: string | null;
}

export interface ScaleResults {
  settings: Omit<ScaleOptions, 'log' | 'parleyBundle' | 'parts'> & { parts: ScalePart[] };
  presence: { rounds: PresenceRound[]; medianParleyMs: number; medianBareMs: number; connectRatio: number } | null;
  capacity: { parley: CapacityRun; bare: CapacityRun; heapPerClientRatio: number; cpuRatio: number } | null;
  storm: { parley: StormRun; bare: StormRun; ratio: number } | null;
  verdicts: { target: string; measured: string; met: boolean }[];
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** As root, lifts this process's open-file limit (children inherit it); returns the soft limit now in force. */
function raiseOpenFiles(wanted: number): number {
  const lifted = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${wanted}:${wanted}`], { encoding: 'utf8' });
  const shown = spawnSync('prlimit', ['--pid', String(process.pid), '--nofile', '--raw', '--noheadings', '--output', 'SOFT'], { encoding: 'utf8' });
  const soft = Number(shown.stdout.trim());
  if (lifted.status !== 0) console.warn(`scale bench: could not raise the open-file limit to ${wanted}: ${lifted.stderr.trim()} (it is ${soft})`);
  return Number.isFinite(soft) ? soft : 0;
}

function signalingOptions(options: ScaleOptions): SignalingOptions {
  return {
    parleyBundle: options.parleyBundle,
    sizes: [],
    relayProcesses: 1,
    idleProcesses: Math.max(1, options.loadProcesses - 1),
    pairs: 0,
    devicesPerUser: 1,
    contactsPerUser: options.contactsPerUser,
    rate: 0,
    windowMs: 0,
    windowsPerServer: 0,
    fanoutUsers: options.presenceUsers,
    log: options.log,
  };
}

// ─── presence at scale ──────────────────────────────────────────────────────

/** Loopback TCP sockets in TIME_WAIT now (/proc/net/sockstat), or null where that file is missing. */
function socketsInTimeWait(): number | null {
  try {
    const match = /^TCP:.*\btw (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch (error) {
    console.warn(`scale bench: cannot read /proc/net/sockstat: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

/**
 * The presence runs dial from one address (the signaling bench's load processes), so a
 * run's closed sockets hold their ephemeral ports in TIME_WAIT for a minute: the next
 * run's 10,000 connects then search a nearly full port range, and whichever server
 * runs second pays for it (a bare-relay run went from 19 s to 97-132 s that way).
 * Each run starts once the previous run's ports are free again (at most 90 s).
 */
async function waitForFreePorts(log: (line: string) => void): Promise<void> {
  const started = performance.now();
  let tw = socketsInTimeWait();
  while (tw !== null && tw > 500 && performance.now() - started < 90_000) {
    await settle(2_000);
    tw = socketsInTimeWait();
  }
  const waited = performance.now() - started;
  if (waited > 1_000) log(`presence: waited ${(waited / 1000).toFixed(0)} s for the last run's ports to leave TIME_WAIT (${tw ?? '?'} left)`);
}

async function runPresence(options: ScaleOptions): Promise<NonNullable<ScaleResults['presence']>> {
  const rounds: PresenceRound[] = [];
  const sig = signalingOptions(options);
  for (let r = 0; r < options.rounds; r++) {
    const first: ServerKind = r % 2 === 0 ? 'bare' : 'parley';
    const order: ServerKind[] = first === 'bare' ? ['bare', 'parley'] : ['parley', 'bare'];
    const runs: Partial<Record<ServerKind, SignalingRun>> = {};
    for (const [i, kind] of order.entries()) {
      // One line per server run: a run that stops making progress shows which one it is.
      const which = `presence run ${2 * r + i + 1}/${2 * options.rounds} (round ${r + 1}, ${kind}, ${options.presenceUsers} users)`;
      benchPhase(which);
      await waitForFreePorts(options.log);
      options.log(`${which}…`);
      const run = await measureFanout(kind, options.presenceUsers, sig);
      const cpu = run.connectCpuMs === undefined ? '' : `, server CPU ${(run.connectCpuMs / 1000).toFixed(1)} s`;
      options.log(`${which}: ${run.connected}/${run.clients} connected in ${(run.connectMs / 1000).toFixed(1)} s${cpu}${run.firstProblem ? `; first problem: ${run.firstProblem}` : ''}`);
      runs[kind] = run;
    }
    const [parley, bare] = [runs.parley as SignalingRun, runs.bare as SignalingRun];
    const round = { first, parley, bare, connectRatio: ratio(parley.connectMs, bare.connectMs) };
    const cpuRatio = parley.connectCpuMs !== undefined && bare.connectCpuMs !== undefined ? `; server CPU ${ratio(parley.connectCpuMs, bare.connectCpuMs).toFixed(2)}×` : '';
    options.log(
      `presence round ${r + 1} (${first} first): bare ${bare.connected}/${bare.clients} in ${(bare.connectMs / 1000).toFixed(1)} s, ` +
        `parley ${parley.connected}/${parley.clients} in ${(parley.connectMs / 1000).toFixed(1)} s → ${round.connectRatio.toFixed(2)}×${cpuRatio}` +
        `${parley.firstProblem ? `; parley problem: ${parley.firstProblem}` : ''}${bare.firstProblem ? `; bare problem: ${bare.firstProblem}` : ''}`,
    );
    rounds.push(round);
  }
  const medianParleyMs = median(rounds.map((x) => x.parley.connectMs));
  const medianBareMs = median(rounds.map((x) => x.bare.connectMs));
  return { rounds, medianParleyMs, medianBareMs, connectRatio: ratio(medianParleyMs, medianBareMs) };
}

// ─── shared: one server, a population, load processes ───────────────────────

interface Rig {
  load: LoadProcess[];
  population: Population<ClientSpec>;
}

async function withLoad<T>(options: ScaleOptions, clients: number, pairs: number, body: (rig: Rig) => Promise<T>): Promise<T> {
  const population = buildPopulation({
    clients,
    pairs,
    devicesPerUser: 1,
    contactsPerUser: options.contactsPerUser,
    relayProcesses: 1,
    idleProcesses: Math.max(1, options.loadProcesses - 1),
  });
  const load: LoadProcess[] = [];
  try {
    for (let p = 0; p < options.loadProcesses; p++) load.push(startLoadProcess(p));
    const made = await prepareClients(load, population);
    return await body({ load, population: made });
  } finally {
    for (const proc of load) proc.stop();
    await settle(1_000);
  }
}

/** Each load process dials from its own loopback address: 28k ephemeral ports each. */
const sourceAddress = (p: number): string => `127.0.0.${p + 2}`;

async function connectGroup(
  rig: Rig,
  server: ServerUnderTest,
  group: 'pairMembers' | 'idle',
  clients: number,
): Promise<Extract<FromLoad, { type: 'connected' }>[]> {
  return Promise.all(
    rig.load.map((proc, p) =>
      proc.ask({ type: 'connect', url: server.url, kind: server.kind, group, concurrency: 16, localAddress: sourceAddress(p) }, 'connected', 300_000 + clients * 30),
    ),
  );
}

// ─── capacity ───────────────────────────────────────────────────────────────

async function capacityOf(kind: ServerKind, options: ScaleOptions, rig: Rig): Promise<CapacityRun> {
  const clients = options.capacityClients;
  const server = await startServer(kind, options.parleyBundle);
  try {
    await settle(300);
    const empty = await server.memory();
    const started = performance.now();
    const up = await connectGroup(rig, server, 'idle', clients);
    const connectMs = performance.now() - started;
    const connected = up.reduce((sum, r) => sum + r.connected, 0);
    await settle(2_000);
    const loaded = await server.memory();
    // Let the forced GCs' aftermath pass, then count only the idle minute.
    await settle(2_000);
    const cpuBefore = await server.cpuUs();
    await settle(options.idleSeconds * 1000);
    const idleCpuMs = ((await server.cpuUs()) - cpuBefore) / 1000;
    const run: CapacityRun = {
      kind,
      clients,
      connected,
      connectMs,
      heapPerClientBytes: (loaded.heapUsed - empty.heapUsed) / Math.max(1, connected),
      rssPerClientBytes: (loaded.rss - empty.rss) / Math.max(1, connected),
      idleSeconds: options.idleSeconds,
      idleCpuMs,
      cpuMsPerMinutePer10k: (idleCpuMs * (60 / options.idleSeconds) * 10_000) / Math.max(1, connected),
      firstProblem: up.map((r) => r.firstError).find((e) => e !== null) ?? null,
    };
    options.log(
      `capacity ${kind.padEnd(6)} ${connected}/${clients} connected in ${(connectMs / 1000).toFixed(1)} s, heap ${kib(run.heapPerClientBytes)}/client, ` +
        `RSS ${kib(run.rssPerClientBytes)}/client, idle CPU ${idleCpuMs.toFixed(0)} ms over ${options.idleSeconds} s ` +
        `(${run.cpuMsPerMinutePer10k.toFixed(0)} ms/min per 10k clients)${run.firstProblem ? `; first problem: ${run.firstProblem}` : ''}`,
    );
    return run;
  } finally {
    server.stop();
    await server.exited;
  }
}

async function runCapacity(asked: ScaleOptions, openFiles: number): Promise<NonNullable<ScaleResults['capacity']>> {
  // Each socket is an open file of the server process: without CAP_SYS_RESOURCE the hard limit caps the run.
  const most = Math.max(1, openFiles - 512);
  const options = asked.capacityClients > most ? { ...asked, capacityClients: most } : asked;
  if (options !== asked) {
    asked.log(`capacity: ${asked.capacityClients} clients need as many open files in the server; the limit here is ${openFiles} (hard, not raisable in this container), so ${most} clients`);
  }
  const runs: Partial<Record<ServerKind, CapacityRun>> = {};
  // One set of load processes per server (their sockets close with them).
  for (const kind of ['bare', 'parley'] as const) {
    benchPhase(`capacity, ${kind}: ${options.capacityClients} idle clients`);
    runs[kind] = await withLoad(options, options.capacityClients, 0, (rig) => capacityOf(kind, options, rig));
  }
  const [parley, bare] = [runs.parley as CapacityRun, runs.bare as CapacityRun];
  return { parley, bare, heapPerClientRatio: ratio(parley.heapPerClientBytes, bare.heapPerClientBytes), cpuRatio: ratio(parley.cpuMsPerMinutePer10k, bare.cpuMsPerMinutePer10k) };
}

// ─── reconnect storm ────────────────────────────────────────────────────────

async function stormOf(kind: ServerKind, options: ScaleOptions, rig: Rig): Promise<StormRun> {
  const secret = randomBytes(32).toString('hex');
  const first = await startServer(kind, options.parleyBundle, { BENCH_MEMBERSHIP_SECRET: secret });
  const port = new URL(first.url).port;
  let second: ServerUnderTest | null = null;
  try {
    const pairsUp = await connectGroup(rig, first, 'pairMembers', options.stormClients);
    const socketIds = Object.assign({}, ...pairsUp.map((r) => r.socketIds)) as Record<string, string>;
    const calls = await Promise.all(rig.load.map((proc) => proc.ask({ type: 'call', kind, socketIds }, 'inCall', 120_000)));
    const idleUp = await connectGroup(rig, first, 'idle', options.stormClients);
    const connectedBefore = [...pairsUp, ...idleUp].reduce((sum, r) => sum + r.connected, 0);
    const problemBefore = [...pairsUp, ...idleUp, ...calls].map((r) => r.firstError).find((e) => e !== null) ?? null;
    await settle(2_000);
    first.stop();
    await first.exited;
    second = await startServer(kind, options.parleyBundle, { BENCH_MEMBERSHIP_SECRET: secret, BENCH_SERVER_PORT: port });
    const readyNs = process.hrtime.bigint();
    const deadlineMs = 600_000;
    const stormed = await Promise.all(rig.load.map((proc) => proc.ask({ type: 'storm', url: second?.url ?? '', kind, concurrency: 64, deadlineMs }, 'stormed', deadlineMs + 120_000)));
    const lastNs = stormed.reduce((max, r) => (BigInt(r.lastDoneNs) > max ? BigInt(r.lastDoneNs) : max), readyNs);
    const run: StormRun = {
      kind,
      clients: options.stormClients,
      connectedBefore,
      back: stormed.reduce((sum, r) => sum + r.back, 0),
      rejoined: stormed.reduce((sum, r) => sum + r.rejoined, 0),
      toRejoin: stormed.reduce((sum, r) => sum + r.toRejoin, 0),
      failed: stormed.reduce((sum, r) => sum + r.failed, 0),
      stormMs: Number(lastNs - readyNs) / 1e6,
      firstProblem: problemBefore ?? stormed.map((r) => r.firstError).find((e) => e !== null) ?? null,
    };
    options.log(
      `storm ${kind.padEnd(6)} ${run.back}/${run.connectedBefore} back with their welcome, ${run.rejoined}/${run.toRejoin} call members re-attached, ` +
        `in ${(run.stormMs / 1000).toFixed(1)} s after the restart${run.failed > 0 ? `, ${run.failed} failed` : ''}${run.firstProblem ? `; first problem: ${run.firstProblem}` : ''}`,
    );
    return run;
  } finally {
    first.stop();
    second?.stop();
    await Promise.all([first.exited, second?.exited]);
  }
}

async function runStorm(options: ScaleOptions): Promise<NonNullable<ScaleResults['storm']>> {
  const runs: Partial<Record<ServerKind, StormRun>> = {};
  for (const kind of ['bare', 'parley'] as const) {
    benchPhase(`reconnect storm, ${kind}: ${options.stormClients} clients`);
    runs[kind] = await withLoad(options, options.stormClients, options.stormPairs, (rig) => stormOf(kind, options, rig));
  }
  const [parley, bare] = [runs.parley as StormRun, runs.bare as StormRun];
  return { parley, bare, ratio: ratio(parley.stormMs, bare.stormMs) };
}

// ─── the run ────────────────────────────────────────────────────────────────

export function scaleVerdicts(r: Pick<ScaleResults, 'presence' | 'capacity' | 'storm'>): ScaleResults['verdicts'] {
  const out: ScaleResults['verdicts'] = [];
  if (r.presence) {
    const n = r.presence.rounds[0]?.parley.clients ?? 0;
    const each = r.presence.rounds.map((x) => x.connectRatio.toFixed(2)).join(', ');
    // A round where either server lost clients compares unlike runs (the yardstick's time then includes
    // 90 s handshake timeouts): it voids the verdict rather than counting for Parley.
    const all = r.presence.rounds.every((x) => x.parley.connected === x.parley.clients && x.bare.connected === x.bare.clients);
    out.push({
      target: `presence: ${n} users connect, Parley/bare ≤ ${SCALE_TARGETS.presenceConnectRatio}×`,
      measured: `${r.presence.connectRatio.toFixed(2)}× (medians ${(r.presence.medianParleyMs / 1000).toFixed(1)} s / ${(r.presence.medianBareMs / 1000).toFixed(1)} s; rounds ${each})${all ? '' : ', not all connected in every round (Parley or the bare relay)'}`,
      met: all && r.presence.connectRatio <= SCALE_TARGETS.presenceConnectRatio,
    });
  }
  if (r.capacity) {
    const { parley, bare } = r.capacity;
    out.push({
      target: `capacity: ${SCALE_TARGETS.capacityClients} idle clients on one node`,
      measured: `Parley ${parley.connected}/${parley.clients}, bare ${bare.connected}/${bare.clients}`,
      met: parley.connected >= SCALE_TARGETS.capacityClients,
    });
    out.push({
      target: `capacity: heap per client Parley/bare ≤ ${SCALE_TARGETS.heapPerClientRatio}×`,
      measured: `${r.capacity.heapPerClientRatio.toFixed(2)}× (${kib(parley.heapPerClientBytes)} / ${kib(bare.heapPerClientBytes)})`,
      met: r.capacity.heapPerClientRatio <= SCALE_TARGETS.heapPerClientRatio,
    });
    out.push({
      target: 'capacity: idle (ping) CPU per 10k clients per minute (reported)',
      measured: `Parley ${parley.cpuMsPerMinutePer10k.toFixed(0)} ms, bare ${bare.cpuMsPerMinutePer10k.toFixed(0)} ms (${r.capacity.cpuRatio.toFixed(2)}×)`,
      met: true,
    });
  }
  if (r.storm) {
    const { parley, bare } = r.storm;
    // A yardstick whose clients did not all come back has no time to compare with.
    const yardstick =
      bare.failed === 0 && bare.back === bare.connectedBefore
        ? `bare ${(bare.stormMs / 1000).toFixed(1)} s (${r.storm.ratio.toFixed(2)}×)`
        : `the bare relay's run did not complete (${bare.back}/${bare.connectedBefore} back, ${bare.failed} failed), no ratio`;
    out.push({
      target: `reconnect storm: ${parley.clients} clients back with presence and calls re-attached (reported)`,
      measured: `Parley ${(parley.stormMs / 1000).toFixed(1)} s (${parley.back}/${parley.connectedBefore} back, ${parley.rejoined}/${parley.toRejoin} rejoined), ${yardstick}`,
      met: parley.failed === 0 && parley.back === parley.connectedBefore && parley.rejoined === parley.toRejoin,
    });
  }
  return out;
}

export async function runScaleBench(options: ScaleOptions): Promise<ScaleResults> {
  const { log } = options;
  const needed = 2 * Math.max(options.presenceUsers, options.capacityClients, options.stormClients) + 4_096;
  const limit = raiseOpenFiles(needed);
  log(`scale bench: open-file limit ${limit} (asked for ${needed})`);
  const { log: _log, parleyBundle: _bundle, parts: _parts, ...settings } = options;
  const results: ScaleResults = {
    settings: { ...settings, parts: [...options.parts] },
    presence: null,
    capacity: null,
    storm: null,
    verdicts: [],
  };
  const errors: string[] = [];
  const part = async (name: ScalePart, body: () => Promise<void>): Promise<void> => {
    if (!options.parts.has(name)) return;
    try {
      await body();
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      errors.push(`${name}: ${text}`);
      log(`scale bench: ${name} failed: ${text}`);
    }
  };
  await part('presence', async () => {
    results.presence = await runPresence(options);
  });
  await part('capacity', async () => {
    results.capacity = await runCapacity(options, limit);
  });
  await part('storm', async () => {
    results.storm = await runStorm(options);
  });
  results.verdicts = scaleVerdicts(results);
  for (const v of results.verdicts) log(`${mark(v.met).padEnd(6)} ${v.target}: ${v.measured}`);
  mkdirSync(options.out, { recursive: true });
  const file = join(options.out, 'scale.json');
  writeFileSync(file, `${JSON.stringify({ ...results, errors }, null, 2)}\n`);
  log(`wrote ${file}`);
  if (errors.length > 0) throw new Error(`scale bench: ${errors.length} part(s) failed:\n${errors.join('\n')}`);
  return results;
}
