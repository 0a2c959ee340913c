/**
 * A watchdog for the benchmark's main thread. Every wait in the benchmarks has a
 * timeout, but a timeout is a timer on the main thread's event loop: when that
 * thread itself is stuck in a synchronous call (the presence bench's stall was a
 * self-deadlock inside node:crypto, see ../benchIdentity.ts), no timer fires and
 * the run hangs without a word.
 *
 * So a worker thread (its own event loop, untouched by the main thread's
 * blocking) watches a heartbeat the main thread bumps every second. When the beat
 * stops for `limitMs`, it prints what the run was doing (the last phase it was
 * told), the main thread's native stack when gdb is installed, ends this
 * process's child processes (the servers and load generators) by their pids, and
 * kills this process: the run fails with a reason instead of stalling.
 */
import { Worker } from 'node:worker_threads';

export interface StallWatchdog {
  /** What the run is doing now; printed if it stalls. */
  phase(text: string): void;
  stop(): Promise<void>;
}

export interface StallWatchdogOptions {
  /** How long the main thread may go without a beat (it beats every second). */
  limitMs: number;
  /** Where the report goes (a file descriptor; stderr by default). */
  reportFd?: number;
}

/** Plain CommonJS, run with `eval`: nothing to compile or resolve in the worker. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync, writeSync } = require('node:fs');
const beat = new Int32Array(workerData.shared);
const { limitMs, pid, reportFd } = workerData;
let phase = 'starting';
parentPort.on('message', (message) => {
  if (typeof message === 'string') phase = message;
});
const say = (text) => writeSync(reportFd, text.endsWith('\\n') ? text : text + '\\n');

/** This process's descendants, children first, read from /proc (Linux). */
function descendants(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync('/proc/' + entry + '/stat', 'utf8');
    } catch (error) {
      // A process that ended while we looked is no longer a child to end.
      if (!error || error.code !== 'ENOENT') say('bench watchdog: could not read /proc/' + entry + '/stat: ' + String(error));
      continue;
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(entry));
  }
  const out = [];
  const walk = (p) => {
    for (const child of children.get(p) || []) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

function nativeStack() {
  if (!existsSync('/usr/bin/gdb')) return '(gdb is not installed: no native stack)';
  try {
    return execFileSync('/usr/bin/gdb', ['-p', String(pid), '-batch', '-ex', 'thread apply 1 bt 30'], {
      encoding: 'utf8',
      timeout: 60000,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .split('\\n')
      .filter((line) => /^#\\d+/.test(line))
      .join('\\n');
  } catch (error) {
    return '(gdb could not read the stack: ' + (error && error.message ? error.message : String(error)) + ')';
  }
}

let last = Atomics.load(beat, 0);
let lastChange = Date.now();
setInterval(() => {
  const now = Atomics.load(beat, 0);
  if (now !== last) {
    last = now;
    lastChange = Date.now();
    return;
  }
  const silentMs = Date.now() - lastChange;
  if (silentMs < limitMs) return;
  say('\\nbench watchdog: the main thread has not run for ' + Math.round(silentMs / 1000) + ' s, while: ' + phase);
  say('bench watchdog: it is stuck in a synchronous call (no timeout can fire on a blocked thread); its native stack:');
  say(nativeStack());
  const children = descendants(pid);
  for (const child of children) {
    try {
      process.kill(child, 'SIGKILL');
    } catch (error) {
      if (!error || error.code !== 'ESRCH') say('bench watchdog: could not end process ' + child + ': ' + (error && error.message ? error.message : String(error)));
    }
  }
  say('bench watchdog: ended ' + children.length + ' child process(es) (' + children.join(', ') + ') and ends the run (SIGKILL).');
  process.kill(pid, 'SIGKILL');
}, 1000);
`;

let current: StallWatchdog | null = null;

/** Tells the running watchdog (if any) what the run is doing now. */
export function benchPhase(text: string): void {
  current?.phase(text);
}

export function startStallWatchdog(options: StallWatchdogOptions): StallWatchdog {
  if (!Number.isFinite(options.limitMs) || options.limitMs < 1_000) throw new RangeError(`the watchdog's limit must be at least 1,000 ms, not ${options.limitMs}`);
  const shared = new SharedArrayBuffer(4);
  const beat = new Int32Array(shared);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { shared, limitMs: options.limitMs, pid: process.pid, reportFd: options.reportFd ?? 2 },
    // Nothing to compile here: keep tsx's loader (process.execArgv) out of the worker.
    execArgv: [],
  });
  worker.on('error', (error) => console.error('bench watchdog: the watchdog thread failed; the run is not watched any more', error));
  worker.unref();
  const timer = setInterval(() => Atomics.add(beat, 0, 1), 1_000);
  timer.unref();
  const watchdog: StallWatchdog = {
    phase: (text) => worker.postMessage(text),
    stop: async () => {
      clearInterval(timer);
      if (current === watchdog) current = null;
      await worker.terminate();
    },
  };
  current = watchdog;
  return watchdog;
}
