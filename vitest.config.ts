import { defineConfig } from 'vitest/config';

/**
 * Test files that saturate the CPU by themselves or measure timing over an emulated
 * network: they run one at a time, after everything else, with the machine to
 * themselves. The meetings start six Chromiums that seal and open every frame, and
 * on 2 cores a second test file beside them slows thumbnails below 1 fps; the lab's
 * user-space bridge adds its delays in a Python process that must not wait for a
 * CPU.
 */
const ALONE = ['test/sfu/*.browser.test.ts', 'test/sfu/sfuCluster.test.ts', 'test/lab/**/*.test.ts', 'test/e2ee/*.browser.test.ts'];

const shared = {
  // Real servers, real Chromium: give them room.
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        // Everything else, two files at a time: most of their time is spent waiting
        // on sockets, timers and peer connections, not computing (a serial run used
        // 0.6 of the 2 cores), and every file has its own ports, folders and
        // namespaces (freePort, mkdtemp, plab-<pid>-…).
        test: {
          ...shared,
          name: 'together',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ALONE,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'alone',
          include: ALONE,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
