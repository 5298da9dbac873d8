import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { RUN_TMPDIR_ENV } from '../../helpers/temp-check.js';

it("each test file runs with a TMPDIR of its own, inside the run's, named after the file", () => {
  const runDir = process.env[RUN_TMPDIR_ENV];
  expect(runDir).toBeTruthy();
  expect(path.dirname(os.tmpdir())).toBe(runDir);
  expect(path.basename(os.tmpdir())).toMatch(/^file-tmpdir-/);
});
