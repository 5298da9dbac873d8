import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, REPO_ROOT } from '../../helpers/fixture.js';

/** OPENCLAW_BACKUP_CLI points the suite at another build (the mutation check runs it against broken copies). */
export const CLI_PATH = process.env.OPENCLAW_BACKUP_CLI ?? CLI;

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  timeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface RunningCli {
  child: ChildProcess;
  done: Promise<RunResult>;
}

/** Starts the built CLI as a real subprocess (optionally as another uid); `done` settles when it exits. */
export function startCli(args: string[], options: RunOptions = {}): RunningCli {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: { PATH: process.env.PATH, ...options.env },
    cwd: options.cwd ?? REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 120_000);
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started, timedOut });
    });
  });
  return { child, done };
}

export function runCli(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return startCli(args, options).done;
}

/** A crash is anything but our one-line error: a stack trace, an "unexpected error", a signal death. */
export function crashSigns(result: RunResult): string[] {
  const signs: string[] = [];
  if (result.timedOut) signs.push(`timed out after ${result.durationMs} ms`);
  if (result.signal) signs.push(`died of ${result.signal}`);
  if (/unexpected error/i.test(result.stderr)) signs.push('unexpected error');
  if (/^\s+at .+:\d+:\d+\)?$/m.test(result.stderr)) signs.push('stack trace');
  return signs;
}

export function describeRun(args: string[], result: RunResult): string {
  return `openclaw-backup ${args.join(' ')} → exit ${result.code}${result.signal ? ` (${result.signal})` : ''} in ${result.durationMs} ms\nstdout: ${result.stdout.trim()}\nstderr: ${result.stderr.trim()}`;
}
