import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Every run gets its own TMPDIR and fails if anything is left in it; each file's temp dirs go after it.
    globalSetup: ['test/helpers/temp-check.ts'],
    setupFiles: ['test/helpers/setup.ts'],
  },
});
