/**
 * The desktop app hosting for its network, on the lab (issue 13): main's
 * EmbeddedServer in LAN mode runs in namespace "a" (every interface, self-signed
 * certificate, generated-style password, mDNS); from "b", main's ServerDiscovery
 * lists it with the fingerprint the host reports, and main's pinning decision
 * (probeServer: a TLS handshake) trusts it with that fingerprint, refuses a wrong
 * one naming both, and refuses it unpinned.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DiscoveredServer, HostedServer, ServerProbeResult } from '../../preload/contract';
import { ADDRESSES, createLab, waitForLine, type Lab } from './lab';

vi.setConfig({ testTimeout: 90_000 });

const RUN = ['--import', 'tsx', 'test/lab/desktopProbe.ts'];
const PORT = 7310;
const dataDir = mkdtempSync(join(tmpdir(), 'parley-lab-desktop-'));
let lab: Lab;
let host: ChildProcess;
let running: Extract<HostedServer, { state: 'running' }>;

beforeAll(async () => {
  lab = await createLab();
  host = lab.spawn('a', process.execPath, [...RUN, 'host-lan', String(PORT), dataDir, 'lab-password-0123456789']);
  let status: HostedServer | null = null;
  const line = await waitForLine<{ status?: HostedServer; startMs?: number }>(
    host,
    (l) => {
      if (l.status) status = l.status;
      return typeof l.startMs === 'number';
    },
    60_000,
    'the desktop host in a',
  );
  const reported = status as HostedServer | null;
  if (reported?.state !== 'running') throw new Error(`the embedded server did not start in "a": ${JSON.stringify(reported)}`);
  running = reported;
  console.log(`lab: the embedded LAN server started in ${line.startMs} ms (first start: certificate generated, TLS, mDNS)`);
}, 90_000);

afterAll(async () => {
  await lab?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

async function lineInB(args: string[], key: string): Promise<Record<string, unknown>> {
  return waitForLine<Record<string, unknown>>(lab.spawn('b', process.execPath, [...RUN, ...args]), (l) => key in l, 40_000, `${args[0]} in b`);
}

async function inB<T>(args: string[], key: string): Promise<T> {
  return (await lineInB(args, key))[key] as T;
}

describe('the desktop hosting for its network, seen from another computer', () => {
  it('reports what others need: its https address on the network, its fingerprint, that a password is needed, its mDNS name', () => {
    expect(running).toMatchObject({
      mode: 'lan',
      port: PORT,
      localUrl: `https://127.0.0.1:${PORT}`,
      urls: [`https://${ADDRESSES.a}:${PORT}`],
      passwordRequired: true,
    });
    expect(running.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(running.announcedAs).toMatch(/^Parley on /);
  });

  it('is listed from "b" by main’s discovery with the fingerprint the host reports', async () => {
    const name = running.announcedAs ?? '';
    const line = await lineInB(['discover', '20000', name], 'servers');
    const servers = line.servers as DiscoveredServer[];
    console.log(`lab: main's discovery in b listed the server after ${String(line.elapsedMs)} ms`);
    const found = servers.find((s) => s.name === name);
    expect(found, `servers found: ${JSON.stringify(servers)}`).toMatchObject({
      tls: true,
      fingerprint: running.fingerprint,
      passwordRequired: true,
      port: PORT,
      url: `https://${ADDRESSES.a}:${PORT}`,
      compatible: true,
    });
  });

  it('is trusted from "b" with that fingerprint, refused with a wrong one (both named) and refused unpinned', async () => {
    const url = `https://${ADDRESSES.a}:${PORT}`;
    const fingerprint = running.fingerprint ?? '';
    expect(await inB<ServerProbeResult>(['probe', url, fingerprint], 'probe')).toEqual({ ok: true, fingerprint });
    const wrong = fingerprint.split(':').reverse().join(':');
    const refused = await inB<ServerProbeResult>(['probe', url, wrong], 'probe');
    expect(refused).toMatchObject({ ok: false, reason: 'fingerprint_mismatch', fingerprint });
    expect(!refused.ok && refused.message).toContain(wrong);
    expect(await inB<ServerProbeResult>(['probe', url, '-'], 'probe')).toMatchObject({ ok: false, reason: 'untrusted', fingerprint });
  });
});
