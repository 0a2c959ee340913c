/**
 * The benchmark's stall watchdog (stallWatchdog.ts): a process whose main thread
 * blocks for good is ended with a report of what it was doing, and its child
 * processes with it. No timing is asserted (the limit only has to pass).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startStallWatchdog } from './stallWatchdog';

const FIXTURE = fileURLToPath(new URL('./stallWatchdog.fixture.ts', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

describe('the bench stall watchdog', () => {
  it('ends a run whose main thread is blocked, says what it was doing, and ends its child processes', async () => {
    const run = spawn(process.execPath, ['--import', 'tsx', FIXTURE, '3000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    run.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => run.once('exit', (c, s) => resolve([c, s])));
    const childPid = Number(/child (\d+)/.exec(stdout)?.[1]);
    // Ended by the watchdog, after it had blocked.
    expect(stdout).toContain('blocking');
    expect(signal).toBe('SIGKILL');
    expect(code).toBeNull();
    expect(stderr).toMatch(/the main thread has not run for \d+ s, while: presence run 3\/4: parley, preparing 10000 clients/);
    expect(Number.isInteger(childPid)).toBe(true);
    // The fixture's own child, and any tsx started.
    const ended = /ended \d+ child process\(es\) \(([\d, ]+)\)/.exec(stderr)?.[1]?.split(', ').map(Number) ?? [];
    expect(ended).toContain(childPid);
    // SIGKILL is delivered at once, but the kernel may take a moment to reap.
    for (let i = 0; i < 100 && alive(childPid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(childPid)).toBe(false);
  }, 120_000);

  it('leaves a process alone while its main thread runs, and lets it exit', async () => {
    const watchdog = startStallWatchdog({ limitMs: 1_000 });
    watchdog.phase('a thread that keeps running');
    // Busy, but yielding: the beats go on.
    for (let i = 0; i < 30; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    await watchdog.stop();
    expect(() => startStallWatchdog({ limitMs: 10 })).toThrow(/at least 1,000 ms/);
  }, 60_000);
});
