/**
 * The benchmarks' WAN: the lab network of test/lab/lab.ts (namespaces a, b, c
 * joined by the user-space bridge, which delays every frame once on its way from
 * one host to another) with the caller's Chromium in "a", the callee's in "b" and
 * the servers (Parley's and the bare relay with the reference pages) in "c". A
 * delay of RTT/2 on the bridge makes every one-way leg between two hosts RTT/2.
 *
 * The pages are http on a lab address, which is no secure context; Chromium is
 * told to treat exactly those two origins as secure (camera, WebCrypto), standing
 * in for the TLS a real deployment has. Needs root, like the lab: when the lab
 * cannot be built, createWanRig throws with the reason.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_PATH } from '../../support/chromium';
import { ADDRESSES, createLab, waitForLine, type Host, type Impairment, type Lab } from '../../lab/lab';
import { BENCH_CHROMIUM_ARGS } from '../browser';

const SERVERS_SCRIPT = fileURLToPath(new URL('./labServers.ts', import.meta.url));
const PARLEY_PORT = 7300;
const RELAY_PORT = 7400;

export interface WanRig {
  lab: Lab;
  parleyUrl: string;
  relayUrl: string;
  caller: Browser;
  callee: Browser;
  /** One-way delay of every leg = rttMs / 2; loss 0–1 per leg. */
  setPath(rttMs: number, loss: number): Promise<Impairment>;
  close(): Promise<void>;
}

export interface WanRigOptions {
  /** dist/server/index.js as the bench built it. */
  serverBundle: string;
  clientDir: string;
  /** More Chromium flags (e.g. the autoplay policy for the latency bench). */
  extraArgs?: string[];
  log(line: string): void;
}

export async function createWanRig(options: WanRigOptions): Promise<WanRig> {
  const lab = await createLab({ delayMs: 0, jitterMs: 0, loss: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'parley-wan-bench-'));
  const browsers: Browser[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(browsers.map((b) => b.close().catch((error: unknown) => options.log(`wan: closing a lab browser failed: ${String(error)}`))));
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const host = ADDRESSES.c;
    const servers = lab.spawn('c', process.execPath, [
      '--import',
      'tsx',
      SERVERS_SCRIPT,
      '--server',
      options.serverBundle,
      '--client',
      options.clientDir,
      '--host',
      host,
      '--parley-port',
      String(PARLEY_PORT),
      '--relay-port',
      String(RELAY_PORT),
    ]);
    const ready = await waitForLine<{ ready?: boolean; parleyUrl: string; relayUrl: string }>(servers, (l) => l.ready === true, 90_000, 'the servers in "c"');
    const secureOrigins = [ready.parleyUrl, ready.relayUrl].join(',');
    const launchIn = async (where: Host): Promise<Browser> => {
      const wrapper = join(dir, `chromium-in-${where}.sh`);
      writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${lab.namespaces[where]} ${CHROMIUM_PATH} "$@"\n`);
      chmodSync(wrapper, 0o700);
      const browser = await chromium.launch({
        executablePath: wrapper,
        args: [...BENCH_CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${secureOrigins}`, ...(options.extraArgs ?? [])],
        timeout: 60_000,
      });
      browsers.push(browser);
      return browser;
    };
    const caller = await launchIn('a');
    const callee = await launchIn('b');
    return {
      lab,
      parleyUrl: ready.parleyUrl,
      relayUrl: ready.relayUrl,
      caller,
      callee,
      setPath: (rttMs, loss) => lab.setImpairment({ delayMs: rttMs / 2, jitterMs: 0, loss }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
