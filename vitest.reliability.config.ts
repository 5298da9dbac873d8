import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/reliability/helpers/summary-reporter.js';
import { SUMMARY_ENV } from './test/reliability/helpers/summary.js';

// Scenarios append their counts here; the summary reporter prints the table and removes the file.
const countsFile = path.join(os.tmpdir(), `openclaw-backup-reliability-${process.pid}.jsonl`);
// One seed for the whole run, shared by every scenario file; set RELIABILITY_SEED to replay a run.
const seed = process.env.RELIABILITY_SEED ?? String(Math.floor(Math.random() * 2 ** 32));

export default defineConfig({
  test: {
    // The restore issue's hostile-archive corpus runs here too, so the suite's figures include it.
    include: ['test/reliability/**/*.test.ts', 'test/integration/restore-hostile.test.ts'],
    // Long: every case spawns real CLI processes on hundreds of MB; files run one at a time to keep CPU contention low.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // As in vitest.config.ts: a TMPDIR of its own that must be empty at the end, temp dirs removed after each file.
    globalSetup: ['test/helpers/temp-check.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    fileParallelism: false,
    env: { [SUMMARY_ENV]: countsFile, RELIABILITY_SEED: seed },
    reporters: ['default', new SummaryReporter(countsFile, seed)],
  },
});
