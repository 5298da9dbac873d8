import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * vitest globalSetup: the whole run gets its own TMPDIR (workers and the CLI children inherit it), and the run
 * fails when anything is left in it at the end — a test that leaks a temp dir or a process's scratch file.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocb-test-run-'));
  // Like /tmp: the reliability suite runs the CLI as other users, who must be able to use it too.
  fs.chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    const left = fs.readdirSync(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    if (left.length === 0) return;
    // A throw here is only logged by vitest ("error during close"); the exit code is what fails the run.
    process.stderr.write(
      `\nFAIL temp-dir check: the test run left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in its temp dir: ${left.sort().join(', ')}\n`,
    );
    process.exitCode = 1;
  };
}
