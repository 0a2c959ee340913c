// npm run bench: builds what the benchmarks measure, then runs them
// (test/bench/main.ts, through tsx). Results: a table on stdout,
// bench-results/latest.json and bench-results/latest.md (git-ignored).
//
// Usage: npm run bench [-- --only weight,calls,signaling,abuse,wan,latency] [-- --calls N] [-- --sizes 1000,5000]
//        [-- --abuse-seconds N] [-- --latency-seconds N]
//        [-- --only presence,capacity,storm] [-- --scale-users N] [-- --scale-rounds N] [-- --stall-seconds N]
// A run whose main thread stays blocked --stall-seconds (default 300) is ended with a report
// of what it was doing (test/bench/capacity/stallWatchdog.ts) instead of hanging.
// wan (call setup on the lab network, issue 15) and latency (glass-to-glass) are not in
// the default run: they need root for the lab's namespaces, and wan takes ~25 min at 20 calls.
//
// The builds go to bench-results/build/, not dist/: other work in this tree (the
// e2e harness rebuilds dist/renderer when sources change, under vitest's
// NODE_ENV=test, which bundles React's development build) must not swap the
// client under a running benchmark. The renderer is built with NODE_ENV=production
// whatever the calling shell says, because that is what ships.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench-results');
const build = join(out, 'build');
const startedAt = Date.now();

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`bench: "${command} ${args.join(' ')}" failed (exit ${result.status ?? result.signal}); fix the build and run again.`);
    process.exit(1);
  }
}

console.log('bench: building the renderer and the server…');
// PARLEY_BENCH_PROFILE=1 (the call trace's CPU profiles): unminified, so profiles name the source's functions.
const unminified = process.env.PARLEY_BENCH_PROFILE ? ['--minify', 'false'] : [];
run('npm', ['run', '--silent', 'build:renderer', '--', '--outDir', join(build, 'renderer'), '--emptyOutDir', ...unminified], {
  ...process.env,
  NODE_ENV: 'production',
});
run('npm', ['run', '--silent', 'build:server']);
// The server bundle keeps its packages external; from bench-results/build/server
// Node still finds them in the project's node_modules.
rmSync(join(build, 'server'), { recursive: true, force: true });
mkdirSync(join(build, 'server'), { recursive: true });
for (const file of ['index.js', 'index.js.map']) {
  const from = join(root, 'dist', 'server', file);
  if (existsSync(from)) copyFileSync(from, join(build, 'server', file));
}
console.log(`bench: built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

// Each client socket is an open file: 10,000 clients need a high limit in the
// server's process. Ask for the hard limit in the shell that starts the run.
const child = spawn(
  'sh',
  [
    '-c',
    'ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null; exec "$0" "$@"',
    process.execPath,
    '--import',
    'tsx',
    join(root, 'test', 'bench', 'main.ts'),
    '--client',
    join(build, 'renderer'),
    '--server',
    join(build, 'server', 'index.js'),
    '--out',
    out,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, BENCH_STARTED_AT: String(startedAt) } },
);
child.on('exit', (code, signal) => {
  console.log(`bench: finished in ${((Date.now() - startedAt) / 60_000).toFixed(1)} min`);
  process.exit(code ?? (signal ? 1 : 0));
});
