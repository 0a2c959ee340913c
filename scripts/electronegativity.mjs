// Runs Doyensec's Electronegativity over main/ and preload/ and fails on any HIGH
// finding that is not in the reviewed list below. Offline and quick (well under a
// minute): the tool's two network look-ups are cut off — its translation download
// (English ships with it) and the Electron-releases check (Electron's version is
// kept current by the lockfile, not by this scan).
//
// Usage: node scripts/electronegativity.mjs [--json] [--root DIR]
//   --root: scan DIR/main and DIR/preload instead of this project's (used by the test
//           that proves an insecure window fails the scan).
import { cpSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/**
 * Reviewed HIGH findings: each names the check, the file, and why it is not a hole.
 * Keep this list short; a new HIGH finding fails the scan until someone reviews it.
 */
export const REVIEWED_EXCEPTIONS = [
  // (none so far)
];

/** Checks that would go to the network; see the header for why they are not needed here. */
const EXCLUDED_CHECKS = ['availablesecurityfixesglobalcheck'];

function offlineElectronegativity() {
  const base = dirname(require.resolve('@doyensec/electronegativity/package.json'));
  const localRequire = createRequire(join(base, 'dist', 'runner.js'));
  const gotPath = localRequire.resolve('got');
  const refuse = () => Promise.reject(new Error('electronegativity runs offline here'));
  refuse.head = refuse;
  refuse.get = refuse;
  // Replace `got` in the module cache before the tool loads it: no request leaves this machine.
  require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: refuse };
  return localRequire('./runner.js');
}

export async function scan(root = projectRoot) {
  const run = offlineElectronegativity();
  // One input folder holding both, so global checks (navigation limits, permission
  // handlers) see main's handlers while scanning the preload too.
  const work = mkdtempSync(join(tmpdir(), 'parley-electronegativity-'));
  try {
    for (const dir of ['main', 'preload']) {
      if (existsSync(join(root, dir))) cpSync(join(root, dir), join(work, dir), { recursive: true });
    }
    copyFileSync(join(projectRoot, 'package.json'), join(work, 'package.json'));
    const quiet = console.log;
    console.log = () => {}; // the tool prints its own progress chatter
    let result;
    try {
      result = await run({ input: work, isRelative: true, excludeFromScan: EXCLUDED_CHECKS });
    } finally {
      console.log = quiet;
    }
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function judge(result) {
  const high = result.issues.filter((issue) => issue.severity.name === 'HIGH');
  const unreviewed = high.filter(
    (issue) => !REVIEWED_EXCEPTIONS.some((e) => e.id === issue.id && e.file === issue.file),
  );
  const parseErrors = result.errors.filter((error) => !error.tolerable);
  return { high, unreviewed, parseErrors, all: result.issues };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const rootFlag = process.argv.indexOf('--root');
  const verdict = judge(await scan(rootFlag > 0 ? resolve(process.argv[rootFlag + 1] ?? '.') : projectRoot));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(verdict.all.map((i) => ({ id: i.id, severity: i.severity.name, file: i.file, line: i.location.line }))));
  }
  for (const issue of verdict.all) {
    console.log(`${issue.severity.name.padEnd(13)} ${issue.id.padEnd(40)} ${issue.file}:${issue.location.line}`);
  }
  for (const error of verdict.parseErrors) console.error(`could not parse ${error.file}: ${error.message}`);
  for (const issue of verdict.unreviewed) {
    console.error(`UNREVIEWED HIGH: ${issue.id} in ${issue.file}:${issue.location.line} — ${issue.description}`);
  }
  const failed = verdict.unreviewed.length > 0 || verdict.parseErrors.length > 0;
  console.log(
    `electronegativity: ${verdict.all.length} findings, ${verdict.high.length} HIGH, ${verdict.unreviewed.length} unreviewed, ${verdict.parseErrors.length} parse errors (${seconds}s)`,
  );
  process.exit(failed ? 1 : 0);
}
