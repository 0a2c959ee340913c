/**
 * For stallWatchdog.test.ts: a process that starts the watchdog, a child process,
 * then blocks its main thread for good (as the node:crypto deadlock did).
 * `node --import tsx stallWatchdog.fixture.ts <limitMs>`
 */
import { spawn } from 'node:child_process';
import { startStallWatchdog } from './stallWatchdog';

const limitMs = Number(process.argv[2]);
const watchdog = startStallWatchdog({ limitMs });
watchdog.phase('presence run 3/4: parley, preparing 10000 clients');
const child = spawn('sleep', ['600'], { stdio: 'ignore' });
console.log(`child ${child.pid}`);
// Let the watchdog see a few beats first, then block: nothing on this thread runs again.
setTimeout(() => {
  console.log('blocking');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}, 2_500);
