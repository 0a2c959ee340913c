/**
 * The lab network itself (lab.ts, bridge.py): unicast UDP crosses the user-space
 * bridge between namespaces, with no added delay and with 50 ms each way; and
 * multicast crosses it too (what mDNS needs). Round-trip times are printed, not
 * asserted: they depend on the machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADDRESSES, createLab, removeStaleLabs, waitForLine, type Lab } from './lab';

// Each step starts Node processes inside the lab: give a busy 2-core CI machine room.
vi.setConfig({ testTimeout: 90_000 });

const PROBE = ['--import', 'tsx', 'test/lab/probe.ts'];
let lab: Lab;

beforeAll(async () => {
  lab = await createLab();
}, 60_000);
afterAll(async () => {
  await lab?.destroy();
});

interface Ping {
  sent: number;
  received: number;
  rttsMs: number[];
}

async function udpPing(count: number, intervalMs: number): Promise<Ping> {
  const result = waitForLine<Ping>(
    lab.spawn('b', process.execPath, [...PROBE, 'udp-ping', ADDRESSES.a, '7001', String(count), String(intervalMs)]),
    (line) => 'sent' in line,
    30_000,
    'udp-ping from b to a',
  );
  return result;
}

function summary(rtts: number[]): string {
  const sorted = [...rtts].sort((x, y) => x - y);
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(2);
  return `min ${at(0)} ms, median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms`;
}

describe('the lab network', () => {
  it('carries UDP between namespaces through the bridge, with no added delay and with 50 ms each way', async () => {
    const echo = lab.spawn('a', process.execPath, [...PROBE, 'udp-echo', '7001']);
    await waitForLine(echo, (line: { ready?: boolean }) => line.ready === true, 20_000, 'udp-echo in a');

    await lab.setImpairment({ delayMs: 0, jitterMs: 0, loss: 0 });
    const direct = await udpPing(20, 20);
    console.log(`lab UDP echo b→a→b, no added delay: ${direct.received}/${direct.sent} answered; ${summary(direct.rttsMs)}`);
    expect(direct.received).toBe(direct.sent);

    await lab.setImpairment({ delayMs: 50, jitterMs: 5 });
    const delayed = await udpPing(20, 20);
    console.log(`lab UDP echo b→a→b, 50±5 ms each way: ${delayed.received}/${delayed.sent} answered; ${summary(delayed.rttsMs)}`);
    expect(delayed.received).toBe(delayed.sent);
    // Not a timing assertion: the bridge must not deliver a frame before its delay
    // (a round trip is two crossings of at least 45 ms each).
    expect(Math.min(...delayed.rttsMs)).toBeGreaterThanOrEqual(90);

    await lab.setImpairment({ delayMs: 0, jitterMs: 0, loss: 1 });
    const cut = await udpPing(5, 20);
    console.log(`lab UDP echo with loss 1: ${cut.received}/${cut.sent} answered`);
    expect(cut.received).toBe(0);
    await lab.setImpairment({ loss: 0 });

    const stats = await lab.bridgeStats();
    console.log(`bridge: ${JSON.stringify(stats)}`);
    expect(stats.sendErrors).toBe(0);
    expect(stats.dropped).toBeGreaterThan(0);
    echo.kill();
  });

  it('carries multicast from one namespace to the others', async () => {
    const group = '239.77.0.1';
    const listeners = (['a', 'c'] as const).map((host) => lab.spawn(host, process.execPath, [...PROBE, 'mcast-listen', group, '7002', ADDRESSES[host]]));
    await Promise.all(listeners.map((child, i) => waitForLine(child, (line: { ready?: boolean }) => line.ready === true, 20_000, `mcast-listen ${i}`)));
    const heard = listeners.map((child, i) =>
      waitForLine<{ from: string; text: string }>(child, (line) => typeof line.text === 'string', 20_000, `multicast heard by listener ${i}`),
    );
    lab.spawn('b', process.execPath, [...PROBE, 'mcast-send', group, '7002', ADDRESSES.b, 'hello from b', '20']);
    for (const message of await Promise.all(heard)) {
      expect(message.from).toBe(ADDRESSES.b);
      expect(message.text).toMatch(/^hello from b \d+$/);
    }
    for (const child of listeners) child.kill();
  });

  it('refuses a bridge command it does not understand, and keeps working', async () => {
    await expect(lab.setImpairment({ delayMs: -1 })).rejects.toThrow('the bridge refused {"set":{"delayMs":-1}}: delayMs must be from 0 to 10000');
    expect((await lab.bridgeStats()).sendErrors).toBe(0);
  });
});

describe('setting the lab up', () => {
  it('removes the namespaces a killed run left behind (its process is gone), and only those', async () => {
    // No process has this id: pid_max is at most 2^22.
    const stale = ['plab-4194999-abcdef-a', 'plab-4194999-abcdef-m'];
    for (const ns of stale) execFileSync('ip', ['netns', 'add', ns]);
    try {
      expect((await removeStaleLabs()).sort()).toEqual([...stale].sort());
      const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      for (const ns of stale) expect(left).not.toContain(ns);
      // This run's own lab is alive and stays.
      expect(left).toContain(lab.namespaces.a);
    } finally {
      for (const ns of stale) execFileSync('sh', ['-c', `ip netns del ${ns} 2>/dev/null || true`]);
    }
  });

  it('fails with the reason, not a skip, when a tool it needs is missing', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'parley-lab-path-'));
    symlinkSync(execFileSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).trim(), join(bin, 'ip'));
    const path = process.env.PATH;
    process.env.PATH = bin; // ip, but no ethtool
    try {
      await expect(createLab()).rejects.toThrow(
        /^Cannot set up the lab network: the lab network needs ethtool \(Debian package ethtool; run scripts\/install-test-deps\.sh\)/,
      );
    } finally {
      process.env.PATH = path;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
