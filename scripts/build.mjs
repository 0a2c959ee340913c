// Builds the Node-side bundles with esbuild: the signaling server (CLI and library),
// and the Electron main process and preload. The renderer is built by Vite.
// Usage: node scripts/build.mjs [server] [desktop]
import { build } from 'esbuild';

const targets = new Set(process.argv.slice(2));
const all = targets.size === 0;

const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none' };

if (all || targets.has('server')) {
  await build({
    ...common,
    entryPoints: { cli: 'signaling-server/cli.ts', index: 'signaling-server/index.ts' },
    outdir: 'dist/server',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    banner: { js: '#!/usr/bin/env node' },
  });
}

if (all || targets.has('desktop')) {
  await build({
    ...common,
    entryPoints: { index: 'main/index.ts' },
    outdir: 'dist/main',
    outExtension: { '.js': '.cjs' },
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    external: ['electron'],
  });
  // A sandboxed preload cannot require() anything but a few Electron modules, so
  // everything it uses (zod included) is bundled into this one file.
  await build({
    ...common,
    entryPoints: { index: 'preload/index.ts' },
    outdir: 'dist/preload',
    outExtension: { '.js': '.cjs' },
    platform: 'browser',
    format: 'cjs',
    target: 'chrome130',
    external: ['electron'],
  });
}
