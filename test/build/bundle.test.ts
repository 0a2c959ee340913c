/**
 * Issue 16.8: a clean build. The renderer builds with no warning at all (vite's
 * "Some chunks are larger than 500 kB" was printed on every build), and the bundle
 * budget (scripts/bundleBudget.mjs, run inside every vite build) refuses a chunk over
 * 500 kB or too much JavaScript at start.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, build, type Logger } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeBundle, type ChunkLike } from '../../scripts/bundleBudget.mjs';
import { initialScriptPaths } from '../bench/clientWeight';

const chunk = (fileName: string, bytes: number, isEntry = false, imports: string[] = []): ChunkLike => ({
  type: 'chunk',
  fileName,
  // Random-ish text so gzip cannot squeeze it to nothing.
  code: Array.from({ length: bytes }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 89))).join(''),
  isEntry,
  imports,
});

describe('bundle budget (pure)', () => {
  it('refuses a chunk over the limit, naming it', () => {
    const report = judgeBundle([chunk('index.js', 501_000, true)], { chunkLimitKb: 500, initialGzipLimit: 10_000_000 });
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toContain('index.js');
  });

  it('counts the entry and what it imports statically, not lazy chunks', () => {
    const chunks = [chunk('index.js', 20_000, true, ['react.js']), chunk('react.js', 30_000, false, ['shared.js']), chunk('shared.js', 1000), chunk('Settings.js', 40_000)];
    const report = judgeBundle(chunks, { chunkLimitKb: 500, initialGzipLimit: 10_000_000 });
    expect(report.initialFiles).toEqual(['index.js', 'react.js', 'shared.js']);
    expect(report.problems).toEqual([]);
    const tight = judgeBundle(chunks, { chunkLimitKb: 500, initialGzipLimit: report.initialGzipBytes - 1 });
    expect(tight.problems.join()).toContain('loaded at start');
  });
});

describe('the real renderer build', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'parley-build-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('prints no warning, keeps every chunk under 500 kB and Settings out of the initial JS', async () => {
    const warnings: string[] = [];
    const infos: string[] = [];
    const base = createLogger('info');
    const logger: Logger = {
      ...base,
      info: (message) => void infos.push(message),
      warn: (message) => void warnings.push(message),
      warnOnce: (message) => void warnings.push(message),
      error: (message, options) => base.error(message, options),
    };
    // vitest runs with NODE_ENV=test, which would bundle React's development build: build what ships.
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ configFile: join(process.cwd(), 'vite.config.ts'), mode: 'production', customLogger: logger, build: { outDir, emptyOutDir: true } });
    } finally {
      process.env.NODE_ENV = before;
    }
    expect(warnings).toEqual([]);
    const initial = initialScriptPaths(readFileSync(join(outDir, 'index.html'), 'utf8'));
    expect(initial.length).toBeGreaterThan(1);
    expect(initial.some((file) => /Settings/.test(file))).toBe(false);
    expect(infos.join('\n')).toMatch(/initial JS [\d.]+ kB gzipped/);
    console.log(infos.filter((line) => line.includes('initial JS')).join('\n'));
  }, 180_000);
});
