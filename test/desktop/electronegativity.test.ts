import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const script = join(root, 'scripts', 'electronegativity.mjs');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [script, ...args], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('Electronegativity', () => {
  it('finds no unreviewed HIGH issue in main/ and preload/', async () => {
    const result = await run([]);
    expect(result.stderr).not.toContain('UNREVIEWED HIGH');
    expect(result.stdout).toMatch(/electronegativity: \d+ findings, \d+ HIGH, 0 unreviewed, 0 parse errors/);
    expect(result.code).toBe(0);
  });

  it('fails the scan for a window without context isolation (the gate works)', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'parley-insecure-'));
    dirs.push(bad);
    mkdirSync(join(bad, 'main'));
    writeFileSync(
      join(bad, 'main', 'index.ts'),
      "import { BrowserWindow } from 'electron';\nexport const w = new BrowserWindow({ webPreferences: { contextIsolation: false } });\n",
    );
    const result = await run(['--root', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('UNREVIEWED HIGH: CONTEXT_ISOLATION_JS_CHECK');
  });
});
