import { defineConfig } from 'vitest/config';

/** `npm run test:openclaw`: the real openclaw@2026.9.6 package beside our CLI, one scenario file at a time. */
export default defineConfig({
  test: {
    include: ['test/openclaw/**/*.test.ts'],
    // Installs OpenClaw once (first run: minutes), gives every file a run dir, prints the summary at the end.
    globalSetup: ['test/openclaw/harness/global-setup.ts'],
    fileParallelism: false,
    sequence: { concurrent: false },
    pool: 'forks',
    testTimeout: 600_000,
    hookTimeout: 1_200_000,
  },
});
