/**
 * Benchmark 2, signaling: Parley's server and a bare socket.io relay under the
 * same load, each in its own process, measured side by side at every size.
 *
 * One size: start both servers and read their heap and RSS (after full GCs);
 * from the same load processes and for both servers at once, connect the pair
 * members, put them in calls, then connect the idle clients; read heap and RSS
 * again (per client = (with N − with none) / N); then relay `signal`s between the
 * partners at a fixed rate in short windows that alternate between the two
 * servers (ABAB…, the first alternating from size to size), so that whatever else
 * loads the machine weighs on both, and take each signal's one-way latency at the
 * receiver.
 *
 * The presence fan-out run connects N distinct users (one device each, no calls)
 * to each server in turn: what Parley's presence costs per user, which the main
 * runs leave out by giving their idle users many devices (see population.ts).
 *
 * Every user lists `contactsPerUser` mutual contacts (presence reaches contacts
 * only), and every client signs in with a real key (../benchIdentity.ts); the keys
 * are made and handed to the load processes before the clock starts.
 */
import { ratio, summarize, type Summary } from '../stats';
import { assignIdentities } from './identities';
import type { ClientGroup, ClientSpec, FromLoad, ServerKind } from './messages';
import { buildPopulation, type Population } from './population';
import { startLoadProcess, startServer, type LoadProcess, type ServerMemory, type ServerUnderTest } from './processes';
import { collectLatencies, NS_PER_MS, relaySchedule } from './relayWindows';

export interface SignalingOptions {
  parleyBundle: string;
  sizes: number[];
  /** Load processes for the pair members (the senders and receivers of signals). */
  relayProcesses: number;
  /** Load processes for the idle clients. */
  idleProcesses: number;
  pairs: number;
  devicesPerUser: number;
  /** Mutual contacts of every user (even). */
  contactsPerUser: number;
  /** Signals per second, all of one server's senders together, during its windows. */
  rate: number;
  windowMs: number;
  /** Measured windows per server and size (after one warm-up window each). */
  windowsPerServer: number;
  /** Distinct users for the presence fan-out run (0: skip it). */
  fanoutUsers: number;
  log(line: string): void;
}

export type LoopStats = Omit<ServerMemory, 'heapUsed' | 'rss' | 'cpuUserUs' | 'cpuSystemUs'>;

export interface SignalingRun {
  kind: ServerKind;
  clients: number;
  connected: number;
  /** From the first handshake to the last, calls included. */
  connectMs: number;
  heapPerClientBytes: number;
  rssPerClientBytes: number;
  heapBytes: { empty: number; loaded: number };
  rssBytes: { empty: number; loaded: number };
  /** One-way relay latency in microseconds (null for the fan-out run). */
  latencyUs: Summary | null;
  signalsSent: number;
  signalsRefused: number;
  /** Measured signals that never arrived (within 30 s of the last window). */
  signalsLost: number;
  /** The server's event-loop delay and GC pauses while the windows ran (both servers'). */
  serverDuringRelay: LoopStats | null;
  /**
   * The server's CPU time (user + system) from the first handshake to the last, in ms
   * (the fan-out run only). Steadier than the wall clock when the machine is shared: it
   * counts the server's work, not how long the load processes kept it waiting.
   */
  connectCpuMs?: number;
  firstProblem: string | null;
}

export interface SignalingComparison {
  clients: number;
  parley: SignalingRun;
  bare: SignalingRun;
  heapPerClientRatio: number;
  rssPerClientRatio: number;
  p50Ratio: number;
  p99Ratio: number;
}

export interface SignalingResults {
  settings: Omit<SignalingOptions, 'log' | 'parleyBundle'>;
  sizes: SignalingComparison[];
  fanout: { users: number; parley: SignalingRun; bare: SignalingRun; connectRatio: number; heapPerClientRatio: number } | null;
}

const KINDS: readonly ServerKind[] = ['parley', 'bare'];

async function settle(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

interface Connected {
  connected: number;
  connectMs: number;
  /** Pair members in a call, per load process. */
  inCall: number[];
  firstProblem: string | null;
}

/**
 * Pair members first (and their calls), then the idle clients, from every load
 * process at once, for every given server at the same time: a population that
 * connected earlier or alone would meet the relay in another state (its ping
 * timers, its heap's age), and that showed as a difference between the servers
 * that followed which one went first. Connecting both together, step by step,
 * gives both the same history.
 */
/** Makes every client's keys and hands each load process its clients (not timed). */
export async function prepareClients(load: LoadProcess[], population: Population): Promise<Population<ClientSpec>> {
  const made = assignIdentities(population);
  await Promise.all(
    load.map((proc, p) =>
      proc.ask({ type: 'prepare', pairMembers: made.pairMembers[p] ?? [], idle: made.idle[p] ?? [] }, 'prepared', 120_000),
    ),
  );
  return made;
}

async function connectPopulations(
  load: LoadProcess[],
  servers: ServerUnderTest[],
  population: Population<ClientSpec>,
): Promise<Record<ServerKind, Connected | undefined>> {
  const clients = population.pairMembers.flat().length + population.idle.flat().length;
  const timeout = 120_000 + clients * 60;
  const started = performance.now();
  const finished: Partial<Record<ServerKind, number>> = {};
  const connect = (server: ServerUnderTest, group: ClientGroup): Promise<Extract<FromLoad, { type: 'connected' }>[]> =>
    Promise.all(load.map((proc) => proc.ask({ type: 'connect', url: server.url, kind: server.kind, group, concurrency: 16 }, 'connected', timeout)));
  const each = async (server: ServerUnderTest): Promise<[ServerKind, Connected]> => {
    const { kind } = server;
    const pairsUp = await connect(server, 'pairMembers');
    const socketIds = Object.assign({}, ...pairsUp.map((r) => r.socketIds)) as Record<string, string>;
    const calls = await Promise.all(load.map((proc) => proc.ask({ type: 'call', kind, socketIds }, 'inCall', 90_000)));
    const idleUp = await connect(server, 'idle');
    finished[kind] = performance.now();
    const replies = [...pairsUp, ...idleUp];
    return [
      kind,
      {
        connected: replies.reduce((sum, r) => sum + r.connected, 0),
        connectMs: (finished[kind] ?? started) - started,
        inCall: calls.map((c) => c.calls),
        firstProblem: [...replies.map((r) => r.firstError), ...calls.map((c) => c.firstError)].find((e) => e !== null) ?? null,
      },
    ];
  };
  const done = await Promise.all(servers.map(each));
  const out: Record<ServerKind, Connected | undefined> = { parley: undefined, bare: undefined };
  for (const [kind, connected] of done) out[kind] = connected;
  return out;
}

function runOf(kind: ServerKind, clients: number, empty: ServerMemory, loaded: ServerMemory, up: Connected): SignalingRun {
  return {
    kind,
    clients,
    connected: up.connected,
    connectMs: up.connectMs,
    heapPerClientBytes: (loaded.heapUsed - empty.heapUsed) / clients,
    rssPerClientBytes: (loaded.rss - empty.rss) / clients,
    heapBytes: { empty: empty.heapUsed, loaded: loaded.heapUsed },
    rssBytes: { empty: empty.rss, loaded: loaded.rss },
    latencyUs: null,
    signalsSent: 0,
    signalsRefused: 0,
    signalsLost: 0,
    serverDuringRelay: null,
    firstProblem: up.firstProblem,
  };
}

async function withProcesses<T>(
  options: SignalingOptions,
  kinds: readonly ServerKind[],
  body: (servers: Record<ServerKind, ServerUnderTest | undefined>, load: LoadProcess[]) => Promise<T>,
): Promise<T> {
  const servers: Record<ServerKind, ServerUnderTest | undefined> = { parley: undefined, bare: undefined };
  const load: LoadProcess[] = [];
  try {
    for (const kind of kinds) servers[kind] = await startServer(kind, options.parleyBundle);
    for (let p = 0; p < options.relayProcesses + options.idleProcesses; p++) load.push(startLoadProcess(p));
    return await body(servers, load);
  } finally {
    for (const proc of load) proc.stop();
    for (const kind of kinds) servers[kind]?.stop();
    // The kernel needs a moment to take back thousands of sockets before the next run.
    await settle(500);
  }
}

async function measureSize(clients: number, first: ServerKind, options: SignalingOptions): Promise<SignalingComparison> {
  const population = buildPopulation({
    clients,
    pairs: options.pairs,
    devicesPerUser: options.devicesPerUser,
    contactsPerUser: options.contactsPerUser,
    relayProcesses: options.relayProcesses,
    idleProcesses: options.idleProcesses,
  });
  const order: ServerKind[] = first === 'parley' ? ['parley', 'bare'] : ['bare', 'parley'];
  return withProcesses(options, order, async (servers, load) => {
    const server = (kind: ServerKind): ServerUnderTest => servers[kind] as ServerUnderTest;
    const clientsWithKeys = await prepareClients(load, population);
    await settle(300);
    const empty = { parley: await server('parley').memory(), bare: await server('bare').memory() };
    const up = await connectPopulations(load, [server('parley'), server('bare')], clientsWithKeys);
    // Let the last handshakes' garbage and the welcome payloads go before measuring.
    await settle(1_000);
    const loaded = { parley: await server('parley').memory(), bare: await server('bare').memory() };
    const runs = {
      parley: runOf('parley', clients, empty.parley, loaded.parley, up.parley as Connected),
      bare: runOf('bare', clients, empty.bare, loaded.bare, up.bare as Connected),
    };

    // Each load process sends its senders' share of the rate.
    const rateOf = (kind: ServerKind, p: number): number => {
      const inCall = (up[kind] as Connected).inCall;
      return (options.rate * (inCall[p] ?? 0)) / Math.max(1, inCall.reduce((a, b) => a + b, 0));
    };
    const windows = relaySchedule(process.hrtime.bigint() + 500n * NS_PER_MS, first, options.windowMs, options.windowsPerServer);
    const relayMs = 2 * (options.windowsPerServer + 1) * options.windowMs;
    const relayed = await Promise.all(
      load.map((proc, p) => proc.ask({ type: 'relay', rate: { parley: rateOf('parley', p), bare: rateOf('bare', p) }, windows }, 'relayed', relayMs + 60_000)),
    );
    const collected = await collectLatencies(load, relayed);
    for (const kind of KINDS) {
      const run = runs[kind];
      const sent = relayed.map((r) => r[kind]);
      run.latencyUs = summarize(collected.flatMap((r) => r[kind].latenciesUs));
      run.signalsSent = sent.reduce((sum, r) => sum + r.sent, 0);
      run.signalsRefused = sent.reduce((sum, r) => sum + r.refused, 0);
      run.signalsLost = Math.max(0, sent.reduce((sum, r) => sum + r.measuredSent - r.refused, 0) - run.latencyUs.n);
      run.firstProblem ??= sent.map((r) => r.firstRefusal).find((e) => e !== null) ?? null;
      const { heapUsed: _heap, rss: _rss, cpuUserUs: _user, cpuSystemUs: _system, ...during } = await server(kind).memory();
      run.serverDuringRelay = during;
    }
    return {
      clients,
      parley: runs.parley,
      bare: runs.bare,
      heapPerClientRatio: ratio(runs.parley.heapPerClientBytes, runs.bare.heapPerClientBytes),
      rssPerClientRatio: ratio(runs.parley.rssPerClientBytes, runs.bare.rssPerClientBytes),
      p50Ratio: ratio(runs.parley.latencyUs?.p50 ?? Number.NaN, runs.bare.latencyUs?.p50 ?? Number.NaN),
      p99Ratio: ratio(runs.parley.latencyUs?.p99 ?? Number.NaN, runs.bare.latencyUs?.p99 ?? Number.NaN),
    };
  });
}

export async function measureFanout(kind: ServerKind, users: number, options: SignalingOptions): Promise<SignalingRun> {
  const population = buildPopulation({
    clients: users,
    pairs: 0,
    devicesPerUser: 1,
    contactsPerUser: options.contactsPerUser,
    relayProcesses: options.relayProcesses,
    idleProcesses: options.idleProcesses,
  });
  return withProcesses(options, [kind], async (servers, load) => {
    const server = servers[kind] as ServerUnderTest;
    const clientsWithKeys = await prepareClients(load, population);
    await settle(300);
    const empty = await server.memory();
    const cpuBefore = await server.cpuUs();
    const up = (await connectPopulations(load, [server], clientsWithKeys))[kind] as Connected;
    const connectCpuMs = ((await server.cpuUs()) - cpuBefore) / 1000;
    await settle(1_000);
    return { ...runOf(kind, users, empty, await server.memory(), up), connectCpuMs };
  });
}

export function describeRun(run: SignalingRun): string {
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
  const ms = (us: number): string => (us / 1000).toFixed(2);
  const latency = run.latencyUs
    ? `, relay p50 ${ms(run.latencyUs.p50)} ms p99 ${ms(run.latencyUs.p99)} ms max ${ms(run.latencyUs.max)} ms (n=${run.latencyUs.n})`
    : '';
  const during = run.serverDuringRelay;
  const loop = during
    ? `; server loop delay p99 ${during.loopDelayP99Ms.toFixed(1)} ms max ${during.loopDelayMaxMs.toFixed(1)} ms, ${during.gcPauses} GC pauses (${during.gcPauseTotalMs.toFixed(0)} ms, max ${during.gcPauseMaxMs.toFixed(1)} ms)`
    : '';
  const lost = run.signalsLost > 0 ? `; ${run.signalsLost} signals lost` : '';
  const problem = run.firstProblem ? `; first problem: ${run.firstProblem}` : '';
  return `${run.kind.padEnd(6)} ${String(run.connected).padStart(5)}/${run.clients} connected in ${(run.connectMs / 1000).toFixed(1)} s, heap ${kb(run.heapPerClientBytes)}/client, RSS ${kb(run.rssPerClientBytes)}/client${latency}${loop}${lost}${problem}`;
}

export async function runSignalingBench(options: SignalingOptions): Promise<SignalingResults> {
  const { log } = options;
  const sizes: SignalingComparison[] = [];
  for (const [index, clients] of options.sizes.entries()) {
    const comparison = await measureSize(clients, index % 2 === 0 ? 'bare' : 'parley', options);
    log(describeRun(comparison.bare));
    log(describeRun(comparison.parley));
    sizes.push(comparison);
  }

  let fanout: SignalingResults['fanout'] = null;
  if (options.fanoutUsers > 0) {
    const bare = await measureFanout('bare', options.fanoutUsers, options);
    log(`presence fan-out: ${describeRun(bare)}`);
    const parley = await measureFanout('parley', options.fanoutUsers, options);
    log(`presence fan-out: ${describeRun(parley)}`);
    fanout = {
      users: options.fanoutUsers,
      parley,
      bare,
      connectRatio: ratio(parley.connectMs, bare.connectMs),
      heapPerClientRatio: ratio(parley.heapPerClientBytes, bare.heapPerClientBytes),
    };
  }

  const { log: _log, parleyBundle: _bundle, ...settings } = options;
  return { settings, sizes, fanout };
}
