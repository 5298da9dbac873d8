import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/openclaw/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 1_200_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
