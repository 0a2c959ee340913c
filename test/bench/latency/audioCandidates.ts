/**
 * Where does Parley's audio delay come from? Not part of `npm run bench`: a quick
 * experiment (issue 15 item 3) that takes turns, on loopback, between
 *   - Parley as it ships (the remote stream plays, unmuted, on the tile's <video>);
 *   - Parley with that <video> muted (the only playout left is the bench's tap);
 *   - the bare-page yardstick as it is (its <video> is muted);
 *   - the bare page with its <video> unmuted, as Parley plays it,
 * and prints each one's glass-to-glass times pooled over its rounds, with the
 * receivers' own jitter-buffer delay (getStats). Usage, after `npm run bench`
 * built bench-results/build:
 *   nice -n 19 npx tsx test/bench/latency/audioCandidates.ts [--rounds 3] [--seconds 8]
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import type { createSignalingServer as CreateSignalingServer } from '../../../signaling-server/index';
import { startBareRelay } from '../bareRelay';
import { BENCH_CHROMIUM_ARGS } from '../browser';
import { BENCH_INVITE_LIMITS } from '../benchLimits';
import { LATENCY_CHROMIUM_ARGS, latencyStats, runLatencyBench, runYardstickLatency, type LatencyRun } from './latencyBench';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '8' },
    client: { type: 'string', default: 'bench-results/build/renderer' },
    server: { type: 'string', default: 'bench-results/build/server/index.js' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a whole number ≥ 1, not "${values.rounds}"`);
if (!Number.isFinite(seconds) || seconds < 1) throw new Error(`--seconds takes a number ≥ 1, not "${values.seconds}"`);

const setMuted = (muted: boolean) => async (caller: Page, callee: Page): Promise<void> => {
  for (const page of [caller, callee]) {
    const changed = await page.evaluate((m) => {
      const videos = [...document.querySelectorAll<HTMLVideoElement>('video[data-testid="remote-video"]')];
      videos.forEach((v) => {
        v.muted = m;
      });
      return videos.length;
    }, muted);
    if (changed === 0) throw new Error('no remote <video> to (un)mute in this page');
  }
};

async function main(): Promise<void> {
  const mod: unknown = await import(pathToFileURL(values.server).href);
  const create = typeof mod === 'object' && mod !== null && 'createSignalingServer' in mod ? mod.createSignalingServer : undefined;
  if (typeof create !== 'function') throw new Error(`${values.server} does not export createSignalingServer: run npm run bench first`);
  const server = await (create as typeof CreateSignalingServer)({ host: '127.0.0.1', port: 0, clientDir: values.client, logLevel: 'silent', inviteLimits: BENCH_INVITE_LIMITS });
  const relay = await startBareRelay({ pages: { '/': fileURLToPath(new URL('../reference/index.html', import.meta.url)) } });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...BENCH_CHROMIUM_ARGS, ...LATENCY_CHROMIUM_ARGS] });
  const log = (line: string): void => console.log(line);
  const variants: { name: string; run: () => Promise<LatencyRun> }[] = [
    { name: 'Parley, <video> unmuted (as shipped)', run: () => runLatencyBench({ label: 'Parley', oneWayMs: 0, caller: browser, callee: browser, parleyUrl: server.url, seconds, log }) },
    { name: 'Parley, <video> muted', run: () => runLatencyBench({ label: 'Parley muted', oneWayMs: 0, caller: browser, callee: browser, parleyUrl: server.url, seconds, log, tweak: setMuted(true) }) },
    { name: 'bare page, <video> muted (the yardstick)', run: () => runYardstickLatency({ label: 'bare', oneWayMs: 0, caller: browser, callee: browser, relayUrl: relay.url, seconds, log }) },
    { name: 'bare page, <video> unmuted', run: () => runYardstickLatency({ label: 'bare unmuted', oneWayMs: 0, caller: browser, callee: browser, relayUrl: relay.url, seconds, log, tweak: setMuted(false) }) },
  ];
  const runs = new Map<string, LatencyRun[]>(variants.map((v) => [v.name, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const v of variants) {
        try {
          runs.get(v.name)?.push(await v.run());
        } catch (error) {
          console.error(`round ${round + 1}, ${v.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  } finally {
    await browser.close();
    await relay.close();
    await server.close();
  }
  console.log(`\nloopback, ${rounds} rounds of ${seconds} s, pooled: p50 (p95), n`);
  for (const [name, list] of runs) {
    const audio = latencyStats(list.flatMap((r) => r.audio.samples));
    const video = latencyStats(list.flatMap((r) => r.video.samples));
    const jb = list.flatMap((r) => r.receivers ?? []).filter((r) => r.kind === 'audio' && r.jitterBufferMs !== null);
    const jbMean = jb.length > 0 ? jb.reduce((s, r) => s + (r.jitterBufferMs as number), 0) / jb.length : Number.NaN;
    const codecs = [...new Set(list.flatMap((r) => r.receivers ?? []).filter((r) => r.kind === 'audio').map((r) => r.codec))].join(' | ');
    const f = (x: number): string => `${x.toFixed(0)}`;
    console.log(
      `${name.padEnd(42)} audio ${f(audio.p50)} (${f(audio.p95)}) ms, n ${audio.n}; video ${f(video.p50)} (${f(video.p95)}) ms, n ${video.n}; ` +
        `audio jitter buffer mean ${f(jbMean)} ms; runs ${list.length}; ${codecs}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
