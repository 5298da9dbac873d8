import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // Guards against a hang, not a measure: two files at once on a noisy shared machine stretch every test.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most of a file's time is spent in the processes it starts (the CLI, restic, tar, age), so two files at once keep
    // both cores busy even on a 2-core machine, where vitest's default (cores - 1) runs them one at a time. Each file
    // has a TMPDIR of its own (test/helpers/setup.ts), and no test depends on timing or on another file's state.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    // Every run gets its own TMPDIR and fails if anything is left in it; each file's temp dirs go after it.
    globalSetup: ['test/helpers/temp-check.ts'],
    setupFiles: ['test/helpers/setup.ts'],
  },
});
