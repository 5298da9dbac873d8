import { Writable } from 'node:stream';
import { runCli as runProgram } from '../../src/cli/cli.js';
import { CLI, cliEnv, type CliResult } from './cli.js';

export interface InProcessOptions {
  /** The command's environment, over PATH and TMPDIR (as runCli gives a child). */
  env?: NodeJS.ProcessEnv;
}

/** Collects what a command writes; not a terminal, like a child's piped stdout and stderr. */
class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    callback();
  }
}

/**
 * The CLI called in this process: the same argv parsing, commands, output and error-to-exit-code map (src/cli/cli.ts)
 * as the built bin, without starting Node and loading every module again for each call. Use it where the process
 * adds nothing to what a test checks; what only a process has — signals, a terminal, stdin, another uid or working
 * dir, the bin's own exit, the path of the built bin (service units name it), several commands at once — stays with
 * runCli (test/helpers/cli.ts).
 */
export async function callCli(args: string[], options: InProcessOptions = {}): Promise<CliResult> {
  const stdout = new Collector();
  const stderr = new Collector();
  const env = cliEnv(options.env);
  // Node reads TMPDIR itself (os.tmpdir()), not from the command's env: a test that gives the CLI a TMPDIR of its
  // own (to see that nothing is left in it) gets it here for the length of the call. Calls in a file run one at a time.
  const tmpdir = process.env.TMPDIR;
  if (env.TMPDIR !== undefined) process.env.TMPDIR = env.TMPDIR;
  const started = performance.now();
  try {
    const code = await runProgram([process.execPath, CLI, ...args], {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      env,
      signal: new AbortController().signal,
    });
    return { code, signal: null, stdout: stdout.text, stderr: stderr.text, durationMs: performance.now() - started, timedOut: false };
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  }
}
