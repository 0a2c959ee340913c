/**
 * Mesh versus SFU at five participants (issue 17 item 7), in one run: the same
 * five-person video call twice — once as a full mesh (the server's maxParticipants
 * raised to 5 for it, no Janus), once through a real Janus (Debian's, started on
 * loopback by test/support/janus.ts) — and per client, over the same window:
 * - upload: the bytes every outbound RTP stream of the page sent (all its peer
 *   connections), as kbit/s;
 * - CPU: the CPU time of that client's whole Chromium (each client runs in its own
 *   browser, so its process tree is its own: encoders, decoders, renderer, GPU
 *   process), as % of one core; and Janus's CPU in the SFU run.
 *
 * The camera is Chromium's fake one at 320x240, 15 fps for both runs (getUserMedia
 * wrapped in the page): five full meshes at 640x480 do not fit two cores, and the
 * comparison is about how the work grows, not about one resolution.
 * Numbers are printed and written to bench-results/sfu.json; nothing is asserted.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { createSignalingServer as CreateSignalingServer, SignalingServer } from '../../signaling-server/index';
import { PEER_CONNECTION_RECORDER } from '../e2e/harness';
import { startJanus, type JanusInstance } from '../support/janus';
import { lowResolutionCamera } from '../support/lowResolutionCamera';
import { BENCH_CHROMIUM_ARGS, befriend, firstRun, pageScript, visible, waitUntil } from './browser';

export interface SfuBenchRow {
  mode: 'mesh' | 'sfu';
  participants: number;
  seconds: number;
  /** Per client, kbit/s sent on all its outbound RTP streams. */
  uploadKbps: number[];
  /** Per client, % of one core used by its Chromium. */
  cpuPercent: number[];
  /** Janus's % of one core (SFU run only). */
  janusCpuPercent: number | null;
  /** Per client, peer connections open during the window. */
  connections: number[];
}

export interface SfuBenchOptions {
  createSignalingServer: typeof CreateSignalingServer;
  clientDir: string;
  participants?: number;
  /** Measuring window after the call settled. */
  seconds?: number;
  log(line: string): void;
}

const NAMES = ['Ann', 'Ben', 'Cid', 'Dee', 'Eve', 'Fay', 'Gus', 'Hal'];
const WAIT_MS = 180_000;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU ticks (user + system) of a process and all its descendants. */
function treeTicks(rootPid: number): number {
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // the process ended while we listed them
    }
    // The command may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(name);
    const ppid = Number(fields[1]);
    ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    total += ticks.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** The pid of the Chromium launched with `marker` among its arguments. */
function browserPid(marker: string): number {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (args.includes(marker) && !args.some((a) => a.startsWith('--type='))) return Number(name);
    } catch {
      continue;
    }
  }
  throw new Error(`no Chromium process with ${marker} found in /proc`);
}

interface Client {
  name: string;
  browser: Browser;
  pid: number;
  page: Page;
}

function bytesSent(page: Page): Promise<{ bytes: number; connections: number }> {
  return page.evaluate(async () => {
    const pcs = window.__parleyE2E?.peerConnections() ?? [];
    let bytes = 0;
    for (const pc of pcs) {
      const stats = await pc.getStats();
      stats.forEach((s: { type?: string; bytesSent?: number }) => {
        if (s.type === 'outbound-rtp') bytes += s.bytesSent ?? 0;
      });
    }
    return { bytes, connections: pcs.length };
  });
}

function remoteVideosPlaying(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      [...document.querySelectorAll('video[data-testid="remote-video"]')].filter(
        (v) => v instanceof HTMLVideoElement && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0,
      ).length,
  );
}

async function openClients(count: number, url: string, mode: string): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < count; i += 1) {
    const marker = `--parley-bench-${mode}-${i}-${process.pid}`;
    const args = BENCH_CHROMIUM_ARGS.map((a) => (a.startsWith('--use-fake-device-for-media-stream') ? '--use-fake-device-for-media-stream=fps=15' : a));
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...args, marker] });
    const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
    await context.grantPermissions(['camera', 'microphone'], { origin: url });
    await context.addInitScript({ content: pageScript(PEER_CONNECTION_RECORDER) });
    await context.addInitScript({ content: lowResolutionCamera({ width: 320, height: 240, fps: 15 }) });
    const page = await context.newPage();
    const name = NAMES[i] ?? `P${i}`;
    await firstRun(page, url, name);
    clients.push({ name, browser, pid: browserPid(marker), page });
  }
  for (let i = 0; i < clients.length; i += 1) {
    for (let j = i + 1; j < clients.length; j += 1) await befriend(clients[i] as Client, clients[j] as Client);
  }
  return clients;
}

async function fiveWayCall(clients: Client[]): Promise<void> {
  const [host, ...guests] = clients as [Client, ...Client[]];
  const accept = (c: Client) => c.page.getByRole('main').getByRole('button', { name: 'Accept', exact: true });
  const first = guests[0] as Client;
  await host.page.getByRole('button', { name: `Video call ${first.name}`, exact: true }).click();
  await visible(accept(first), WAIT_MS);
  await accept(first).click();
  for (const guest of guests.slice(1)) {
    await host.page.getByRole('main').getByRole('region', { name: 'Call', exact: true }).getByRole('button', { name: 'Add participant' }).click();
    await host.page.getByRole('dialog', { name: 'Add participant' }).getByRole('button', { name: `Invite ${guest.name}` }).click();
    await visible(accept(guest), WAIT_MS);
    await accept(guest).click();
  }
  const others = clients.length - 1;
  for (const c of clients) {
    try {
      await waitUntil(`${c.name} plays ${others} remote videos`, () => remoteVideosPlaying(c.page), (n) => n >= others, WAIT_MS);
    } catch (error) {
      // Which remote video is missing where: a tile without a track (never subscribed) is not a slow decoder.
      const seen = await Promise.all(clients.map(async (d) => `${d.name}: ${await remoteVideoReport(d.page).catch((e: unknown) => String(e))}`));
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n  ${seen.join('\n  ')}`, { cause: error });
    }
  }
}

/** Each remote video of a page: its tile's label, whether it has a video track, and frames shown. */
function remoteVideoReport(page: Page): Promise<string> {
  return page.evaluate(() =>
    [...document.querySelectorAll('video[data-testid="remote-video"]')]
      .map((v) => {
        const video = v as HTMLVideoElement;
        const tile = video.closest('[aria-label]')?.getAttribute('aria-label') ?? '?';
        const tracks = video.srcObject instanceof MediaStream ? video.srcObject.getVideoTracks() : [];
        const track = tracks[0];
        return `${tile} [${track ? `track ${track.readyState}${track.muted ? ' muted' : ''}` : 'no track'}, ${video.videoWidth}x${video.videoHeight}, ${video.getVideoPlaybackQuality().totalVideoFrames} frames]`;
      })
      .join('; '),
  );
}

async function runOne(mode: 'mesh' | 'sfu', options: SfuBenchOptions): Promise<SfuBenchRow> {
  const participants = options.participants ?? 5;
  const seconds = options.seconds ?? 20;
  const { log } = options;
  let janus: JanusInstance | null = null;
  let server: SignalingServer | null = null;
  const clients: Client[] = [];
  try {
    if (mode === 'sfu') janus = await startJanus();
    server = await options.createSignalingServer({
      host: '127.0.0.1',
      port: 0,
      clientDir: options.clientDir,
      // PARLEY_BENCH_SERVER_LOG=1: the server's debug log on stderr (to study a failed run).
      logLevel: process.env.PARLEY_BENCH_SERVER_LOG === '1' ? 'debug' : 'silent',
      // The mesh run needs room for five; the SFU run moves to Janus at the fifth.
      ...(mode === 'mesh' ? { maxParticipants: participants } : { janusUrls: [janus?.url ?? ''] }),
    });
    log(`sfu bench (${mode}): opening ${participants} clients, each in its own Chromium`);
    clients.push(...(await openClients(participants, server.url, mode)));
    log(`sfu bench (${mode}): a ${participants}-person video call`);
    await fiveWayCall(clients);
    if (mode === 'sfu') {
      for (const c of clients) {
        await waitUntil(`${c.name} is on the SFU only (publisher + subscriber)`, async () => (await bytesSent(c.page)).connections, (n) => n <= 2, WAIT_MS);
      }
    }
    // Let the encoders ramp up (bandwidth estimation) before the window.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const before = await Promise.all(clients.map(async (c) => ({ sent: await bytesSent(c.page), ticks: treeTicks(c.pid) })));
    const janusBefore = janus ? treeTicks(janus.pid) : 0;
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const after = await Promise.all(clients.map(async (c) => ({ sent: await bytesSent(c.page), ticks: treeTicks(c.pid) })));
    const janusAfter = janus ? treeTicks(janus.pid) : 0;
    const elapsed = (performance.now() - started) / 1000;
    const row: SfuBenchRow = {
      mode,
      participants,
      seconds: Math.round(elapsed * 10) / 10,
      uploadKbps: clients.map((_, i) => Math.round(((after[i]?.sent.bytes ?? 0) - (before[i]?.sent.bytes ?? 0)) * 8 / 1000 / elapsed)),
      cpuPercent: clients.map((_, i) => Math.round((((after[i]?.ticks ?? 0) - (before[i]?.ticks ?? 0)) / TICKS_PER_SECOND / elapsed) * 1000) / 10),
      janusCpuPercent: janus ? Math.round(((janusAfter - janusBefore) / TICKS_PER_SECOND / elapsed) * 1000) / 10 : null,
      connections: after.map((a) => a.sent.connections),
    };
    log(formatRow(row));
    return row;
  } finally {
    await Promise.all(clients.map((c) => c.browser.close().catch((error: unknown) => log(`closing ${c.name}'s Chromium: ${String(error)}`))));
    await server?.close();
    await janus?.stop();
  }
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

export function formatRow(r: SfuBenchRow): string {
  return (
    `${r.mode.padEnd(4)} ${r.participants} people, ${r.seconds} s: upload per client ${mean(r.uploadKbps).toFixed(0)} kbit/s ` +
    `(${r.uploadKbps.join(', ')}), CPU per client ${mean(r.cpuPercent).toFixed(1)} % of a core (${r.cpuPercent.join(', ')})` +
    `${r.janusCpuPercent === null ? '' : `, Janus ${r.janusCpuPercent} %`}; peer connections per client ${r.connections.join(', ')}`
  );
}

/** Both runs, mesh first; writes `out`/sfu.json. */
export async function runSfuBench(options: SfuBenchOptions & { out: string }): Promise<SfuBenchRow[]> {
  const rows = [await runOne('mesh', options), await runOne('sfu', options)];
  const [mesh, sfu] = rows as [SfuBenchRow, SfuBenchRow];
  options.log('\nmesh vs SFU, 5 participants, 320x240 at 15 fps, per client (mean):');
  options.log(`  upload  mesh ${mean(mesh.uploadKbps).toFixed(0)} kbit/s   sfu ${mean(sfu.uploadKbps).toFixed(0)} kbit/s`);
  options.log(`  CPU     mesh ${mean(mesh.cpuPercent).toFixed(1)} %   sfu ${mean(sfu.cpuPercent).toFixed(1)} % (+ Janus ${sfu.janusCpuPercent ?? '?'} % for all)`);
  writeFileSync(join(options.out, 'sfu.json'), `${JSON.stringify(rows, null, 2)}\n`);
  return rows;
}
