import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Temporal's native bridge and child processes are safest in forked processes.
    pool: 'forks',
    // Throttle and timing figures are measured against one shared machine: one file at a time.
    fileParallelism: false,
    // Bins and spawned processes run the sources under test, never a dist/ left by `npm run build` (bin/entry.js).
    env: { WFM_DEV: '1' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/simulator/**/*.test.ts', 'test/store/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'temporal',
          include: ['test/workflows/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/faults/**/*.test.ts'],
          // One real Temporal dev server and one workflow bundle for every file of this project.
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
