import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { RUN_TMPDIR_ENV } from './temp-check.js';
import { removeTempDirs } from './temp.js';

// Loaded before every test file (setupFiles). Files run side by side, so each gets a TMPDIR of its own inside the
// run's (test/helpers/temp-check.ts): a test that looks at what its commands left in $TMPDIR sees only its own file's.
const runDir = process.env[RUN_TMPDIR_ENV];
let fileDir: string | undefined;
if (runDir) {
  const name = path.basename(expect.getState().testPath ?? 'test-file').replace(/\.test\.ts$/, '');
  fileDir = fs.mkdtempSync(path.join(runDir, `${name}-`));
  // Like /tmp: the reliability suite runs the CLI as other users, who must be able to use it too.
  fs.chmodSync(fileDir, 0o1777);
  process.env.TMPDIR = fileDir;
}

// Whatever makeTempDir made is removed when the file is done; the file's TMPDIR goes too when nothing else is left
// in it — anything left stays for the run's check to name.
afterAll(() => {
  removeTempDirs();
  if (fileDir && fs.readdirSync(fileDir).length === 0) fs.rmdirSync(fileDir);
});
