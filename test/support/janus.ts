/**
 * A real Janus (Debian's `janus` package, /usr/bin/janus) for one test: Debian's
 * stock configuration copied from /etc/janus to a temporary folder, with only what
 * a test needs changed:
 * - the WebSocket transport listens on 127.0.0.1 on a free port (admin API off);
 * - every plugin but VideoRoom and every transport but WebSockets is disabled (a
 *   faster start, and nothing else listening);
 * - optionally an API secret (`apiSecret`) and a VideoRoom `admin_key` (`adminKey`),
 *   as an operator may configure them.
 * ICE: libnice in Janus never gathers candidates on a loopback interface (Janus
 * skips interfaces flagged IFF_LOOPBACK), so Janus offers its host candidates on
 * this machine's other interfaces; Chromium pages on the same machine reach those
 * addresses through the kernel's local routing, so media never leaves the machine.
 * A machine with no interface but `lo` cannot run these tests, and startJanus
 * says so instead of letting calls time out.
 *
 * startJanus resolves once the WebSocket answers `info` with `server_info`, and
 * rejects with Janus's own last log lines when the process exits or does not
 * answer in time. `stop()` ends it (SIGTERM, then SIGKILL); `kill()` kills it at
 * once, for the tests where an instance dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { freePort } from './freePort';

export const JANUS_PATH = '/usr/bin/janus';
export const JANUS_STOCK_CONFIG = '/etc/janus';

export interface JanusOptions {
  /** Janus's `api_secret`: every request must carry it. */
  apiSecret?: string;
  /** VideoRoom's `admin_key`: creating a room needs it. */
  adminKey?: string;
  /** How long to wait for the first `server_info` (default 60 s: the test machine is shared and loaded). */
  startTimeoutMs?: number;
}

export interface JanusInstance {
  /** ws://127.0.0.1:PORT — what `--janus-url` takes. */
  url: string;
  port: number;
  pid: number;
  /** Janus's log so far (the last lines kept). */
  log(): string;
  /** SIGTERM, then SIGKILL after 5 s; removes the temporary folder. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL now (an instance dying under a call); `stop()` still cleans up. */
  kill(): Promise<void>;
}

const PLUGINS_KEPT = ['libjanus_videoroom.so'];
const TRANSPORTS_KEPT = ['libjanus_websockets.so'];
const LOG_LINES_KEPT = 400;

/** The .so files in a Janus folder, other than `keep`: what the config's `disable` lists. */
async function othersIn(folder: string, keep: readonly string[]): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const names = await readdir(folder);
  return names.filter((n) => n.endsWith('.so') && !keep.includes(n));
}

/** `key = value` added as the first entry of the libconfig group `group: {`; throws if the group is missing. */
function addToGroup(text: string, group: string, line: string, file: string): string {
  const re = new RegExp(`^${group}:\\s*\\{`, 'm');
  if (!re.test(text)) throw new Error(`Janus's stock ${file} has no "${group}: {" group; cannot configure a test Janus from it`);
  return text.replace(re, (open) => `${open}\n\t${line}`);
}

/** Replaces `key = ...` (uncommented) in a libconfig text; throws if the stock file lacks it. */
function setKey(text: string, key: string, value: string, file: string): string {
  const re = new RegExp(`^(\\s*)${key}\\s*=\\s*[^#\\n]*`, 'm');
  if (!re.test(text)) throw new Error(`Janus's stock ${file} has no "${key}" setting; cannot configure a test Janus from it`);
  return text.replace(re, (_all, indent: string) => `${indent}${key} = ${value}`);
}

const quoted = (s: string): string => JSON.stringify(s);

function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return undefined;
}

/** Writes the test configuration into `dir` and returns the janus.jcfg path. */
async function writeConfig(dir: string, port: number, options: JanusOptions): Promise<string> {
  const stock = (name: string): Promise<string> => readFile(join(JANUS_STOCK_CONFIG, name), 'utf8');
  let core = await stock('janus.jcfg');
  const pluginsFolder = /^\s*plugins_folder\s*=\s*"([^"]+)"/m.exec(core)?.[1] ?? '/usr/lib/x86_64-linux-gnu/janus/plugins';
  const transportsFolder = /^\s*transports_folder\s*=\s*"([^"]+)"/m.exec(core)?.[1] ?? '/usr/lib/x86_64-linux-gnu/janus/transports';
  core = setKey(core, 'configs_folder', quoted(dir), 'janus.jcfg');
  core = addToGroup(core, 'plugins', `disable = ${quoted((await othersIn(pluginsFolder, PLUGINS_KEPT)).join(','))}`, 'janus.jcfg');
  core = addToGroup(core, 'transports', `disable = ${quoted((await othersIn(transportsFolder, TRANSPORTS_KEPT)).join(','))}`, 'janus.jcfg');
  if (options.apiSecret !== undefined) core = addToGroup(core, 'general', `api_secret = ${quoted(options.apiSecret)}`, 'janus.jcfg');
  const coreFile = join(dir, 'janus.jcfg');
  await writeFile(coreFile, core);

  let ws = await stock('janus.transport.websockets.jcfg');
  ws = setKey(ws, 'ws_port', String(port), 'janus.transport.websockets.jcfg');
  ws = addToGroup(ws, 'general', `ws_ip = "127.0.0.1"`, 'janus.transport.websockets.jcfg');
  ws = setKey(ws, 'admin_ws', 'false', 'janus.transport.websockets.jcfg');
  ws = setKey(ws, 'wss', 'false', 'janus.transport.websockets.jcfg');
  await writeFile(join(dir, 'janus.transport.websockets.jcfg'), ws);

  let room = await stock('janus.plugin.videoroom.jcfg');
  if (options.adminKey !== undefined) room = addToGroup(room, 'general', `admin_key = ${quoted(options.adminKey)}`, 'janus.plugin.videoroom.jcfg');
  await writeFile(join(dir, 'janus.plugin.videoroom.jcfg'), room);
  // Loggers and event handlers stay as Debian ships them (off unless enabled).
  for (const name of ['janus.logger.jsonlog.jcfg']) {
    const from = join(JANUS_STOCK_CONFIG, name);
    if (existsSync(from)) await copyFile(from, join(dir, name));
  }
  return coreFile;
}

/** One `info` request; resolves true when Janus answered `server_info`. */
function askInfo(url: string, apiSecret: string | undefined, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'janus-protocol');
    const timer = setTimeout(() => {
      socket.terminate();
      resolve(false);
    }, timeoutMs);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    socket.on('open', () => {
      socket.send(JSON.stringify({ janus: 'info', transaction: 'ready-check', ...(apiSecret === undefined ? {} : { apisecret: apiSecret }) }));
    });
    socket.on('message', (data: WebSocket.RawData) => {
      try {
        const message = JSON.parse(data.toString()) as { janus?: string };
        done(message.janus === 'server_info');
      } catch {
        done(false);
      }
    });
    // Not yet listening (ECONNREFUSED): the caller tries again.
    socket.on('error', () => done(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startJanus(options: JanusOptions = {}): Promise<JanusInstance> {
  if (!existsSync(JANUS_PATH)) {
    throw new Error(`${JANUS_PATH} is missing: install Debian's janus package (scripts/install-test-deps.sh does)`);
  }
  if (!existsSync(join(JANUS_STOCK_CONFIG, 'janus.jcfg'))) {
    throw new Error(`${JANUS_STOCK_CONFIG}/janus.jcfg is missing: the test Janus starts from Debian's stock configuration`);
  }
  const address = nonLoopbackAddress();
  if (address === undefined) {
    throw new Error('This machine has no network interface but loopback, and Janus (libnice) never offers ICE candidates on loopback: SFU media cannot connect here');
  }
  const dir = await mkdtemp(join(tmpdir(), 'parley-janus-'));
  const port = await freePort();
  const configFile = await writeConfig(dir, port, options);
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > LOG_LINES_KEPT) lines.shift();
    }
  };
  const child = spawn(
    JANUS_PATH,
    ['-C', configFile, '-F', dir, '-o', '-d', '4', '-n', `parley-test-${randomBytes(3).toString('hex')}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const log = (): string => lines.join('\n');
  let stopped = false;
  const gone = exited(child);

  const instance: JanusInstance = {
    url: `ws://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    log,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
    },
    stop: async () => {
      if (!stopped) {
        stopped = true;
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await gone;
          clearTimeout(timer);
        }
        await rm(dir, { recursive: true, force: true });
      }
    },
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await instance.stop();
      throw new Error(`Janus exited while starting (code ${String(child.exitCode)}, signal ${String(child.signalCode)}). Its log:\n${log()}`);
    }
    if (await askInfo(instance.url, options.apiSecret, 2_000)) return instance;
    if (Date.now() > deadline) {
      await instance.stop();
      throw new Error(`Janus did not answer "info" on ${instance.url} within ${options.startTimeoutMs ?? 60_000} ms. Its log:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
