import { defineConfig } from 'vitest/config';

/** `npm run test:systemd`: the service under a real systemd (PID 1 in a Debian container), one scenario file at a time. */
export default defineConfig({
  test: {
    include: ['test/systemd/**/*.test.ts'],
    // Builds or finds the cached Debian root (first run: about a minute) and prints the measured facts at the end.
    globalSetup: ['test/systemd/harness/global-setup.ts'],
    fileParallelism: false,
    sequence: { concurrent: false },
    pool: 'forks',
    testTimeout: 240_000,
    hookTimeout: 300_000,
  },
});
