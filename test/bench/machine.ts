/**
 * What the numbers were measured on, and what else kept the machine busy: ratios
 * measured in one run survive a shared machine, absolute times do not, so every
 * result file says which machine and how loaded it was.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  chromium: string | null;
  /** The open-file limit the benchmark's processes inherit (each socket is a file). */
  openFileLimit: number | null;
}

function firstMatch(path: string, pattern: RegExp): string | null {
  try {
    return pattern.exec(readFileSync(path, 'utf8'))?.[1]?.trim() ?? null;
  } catch {
    return null;
  }
}

export function openFileLimit(): number | null {
  try {
    const value = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

export function describeMachine(chromium: string | null): Machine {
  const distro = firstMatch('/etc/os-release', /^PRETTY_NAME="?([^"\n]*)"?$/m);
  return {
    cpu: firstMatch('/proc/cpuinfo', /^model name\s*:\s*(.*)$/m) ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${distro ?? 'Linux'} (kernel ${release()})`,
    node: process.version,
    chromium,
    openFileLimit: openFileLimit(),
  };
}

export interface BusyProcess {
  cpuPercent: number;
  command: string;
}

/** The busiest processes right now, other than this one (ps's %CPU is over each process's lifetime). */
export function busiestProcesses(count: number): BusyProcess[] {
  try {
    const out = execFileSync('ps', ['-eo', 'pid=,pcpu=,args=', '--sort=-pcpu'], { encoding: 'utf8' });
    return out
      .split('\n')
      .map((line) => /^\s*(\d+)\s+([\d.]+)\s+(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) !== process.pid && !/\bps -eo\b/.test(m[3] ?? ''))
      .slice(0, count)
      .map((m) => ({ cpuPercent: Number(m[2]), command: (m[3] ?? '').slice(0, 120) }));
  } catch {
    return [];
  }
}

/** Samples the 1-minute load average every few seconds until stopped. */
export function sampleLoad(everyMs = 5_000): { stop(): { mean: number; max: number; samples: number } } {
  const samples: number[] = [loadavg()[0] ?? 0];
  const timer = setInterval(() => samples.push(loadavg()[0] ?? 0), everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      return { mean: Math.round(mean * 100) / 100, max: Math.max(...samples), samples: samples.length };
    },
  };
}
