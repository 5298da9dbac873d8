import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, type ProcessResult, type RunningProcess } from './process.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built CLI. */
export const CLI = path.join(REPO, 'dist', 'cli', 'main.js');

export interface CliOptions {
  /** Added to PATH (and TMPDIR, so the run's temp-dir check sees what the CLI leaves). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  input?: string;
  timeoutMs?: number;
  /** Another build of the CLI (the reliability suite's mutation check runs broken copies). */
  cli?: string;
}

export type CliResult = ProcessResult;

/** The environment a CLI child gets: PATH and TMPDIR from the test run, then what the test sets. */
export function cliEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  if (process.env.TMPDIR) base.TMPDIR = process.env.TMPDIR;
  return { ...base, ...env };
}

/** Starts the built CLI as a real subprocess (optionally as another uid). */
export function startCli(args: string[], options: CliOptions = {}): RunningProcess {
  const { cli, ...rest } = options;
  return startProcess(process.execPath, [cli ?? CLI, ...args], { ...rest, env: cliEnv(options.env), cwd: options.cwd ?? REPO });
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}
