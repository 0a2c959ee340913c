/**
 * A build check for the renderer (issue 16.8), run by vite itself (vite.config.ts),
 * so every build — npm run build, serve, the e2e harness, the bench — fails when:
 * - a chunk passes vite's own "Some chunks are larger than 500 kB" line (the warning
 *   a newcomer's first build must not print): split or lazy-load instead;
 * - the JavaScript needed at start (entry chunks and everything they import
 *   statically, i.e. what index.html loads and modulepreloads) passes `initialGzipLimit`
 *   bytes gzipped (level 9, as test/bench/clientWeight.ts measures it).
 * Types: bundleBudget.d.mts. Plain JavaScript so vite's config loader takes it as is.
 */
import { gzipSync } from 'node:zlib';

/** The pure part: what is over budget in a generated bundle. */
export function judgeBundle(chunks, budget) {
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const problems = [];
  for (const chunk of chunks) {
    const kb = chunk.code.length / 1000;
    if (kb > budget.chunkLimitKb) {
      problems.push(
        `chunk ${chunk.fileName} is ${kb.toFixed(1)} kB, over ${budget.chunkLimitKb} kB: lazy-load what is not needed at start, or give a library its own chunk (vite.config.ts codeSplitting)`,
      );
    }
  }
  const initial = new Set();
  const visit = (fileName) => {
    if (initial.has(fileName)) return;
    const chunk = byName.get(fileName);
    if (chunk === undefined) return;
    initial.add(fileName);
    for (const imported of chunk.imports) visit(imported);
  };
  for (const chunk of chunks) if (chunk.isEntry) visit(chunk.fileName);
  const initialFiles = [...initial].sort();
  const initialGzipBytes = initialFiles.reduce((sum, file) => sum + gzipSync(byName.get(file)?.code ?? '', { level: 9 }).length, 0);
  if (initialGzipBytes > budget.initialGzipLimit) {
    problems.push(
      `the JavaScript loaded at start is ${(initialGzipBytes / 1000).toFixed(1)} kB gzipped, over ${(budget.initialGzipLimit / 1000).toFixed(0)} kB (${initialFiles.join(', ')}): lazy-load what is not needed at start`,
    );
  }
  return { initialFiles, initialGzipBytes, problems };
}

/** The vite plugin: fails the build on any problem, and says how big the initial JS is. */
export function bundleBudget(budget) {
  // What ships is a production build. A build under NODE_ENV=test (vitest's, for a
  // test's private copy of the client) bundles React's development build, which is
  // bigger by design: the budget says so and does not judge it. Nor does it judge an
  // unminified build (the benchmark's CPU profiles, PARLEY_BENCH_PROFILE=1), which never ships.
  let production = true;
  let minified = true;
  return {
    name: 'parley:bundle-budget',
    apply: 'build',
    configResolved(config) {
      production = config.isProduction;
      minified = config.build.minify !== false;
    },
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((item) => item.type === 'chunk');
      const report = judgeBundle(chunks, budget);
      if (!production || !minified) {
        const why = production ? 'an unminified build' : `not a production build (NODE_ENV=${process.env.NODE_ENV ?? 'unset'})`;
        this.info(`bundle budget not applied: ${why}; initial JS ${(report.initialGzipBytes / 1000).toFixed(1)} kB gzipped`);
        return;
      }
      if (report.problems.length > 0) this.error(`Parley's bundle budget (scripts/bundleBudget.mjs):\n- ${report.problems.join('\n- ')}`);
      this.info(`initial JS ${(report.initialGzipBytes / 1000).toFixed(1)} kB gzipped in ${report.initialFiles.length} files`);
    },
  };
}
