import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the run's TMPDIR is kept, for test/helpers/setup.ts to make each file's inside it. */
export const RUN_TMPDIR_ENV = 'OCB_TEST_RUN_TMPDIR';

/**
 * vitest globalSetup: the whole run gets its own TMPDIR (workers and the CLI children inherit it), and the run
 * fails when anything is left in it at the end — a test that leaks a temp dir or a process's scratch file.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const previousRun = process.env[RUN_TMPDIR_ENV];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocb-test-run-'));
  // Like /tmp: the reliability suite runs the CLI as other users, who must be able to use it too.
  fs.chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  process.env[RUN_TMPDIR_ENV] = dir;
  return () => {
    if (previousRun === undefined) delete process.env[RUN_TMPDIR_ENV];
    else process.env[RUN_TMPDIR_ENV] = previousRun;
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    // Each test file's own TMPDIR is removed when it is empty: what is left is named inside it.
    const left = fs.readdirSync(dir).flatMap((name) => {
      const inside = path.join(dir, name);
      return fs.statSync(inside).isDirectory() && fs.readdirSync(inside).length > 0
        ? fs.readdirSync(inside).map((child) => `${name}/${child}`)
        : [name];
    });
    fs.rmSync(dir, { recursive: true, force: true });
    if (left.length === 0) return;
    // A throw here is only logged by vitest ("error during close"); the exit code is what fails the run.
    process.stderr.write(
      `\nFAIL temp-dir check: the test run left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in its temp dir: ${left.sort().join(', ')}\n`,
    );
    process.exitCode = 1;
  };
}
