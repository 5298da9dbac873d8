import { CLI, startCli as startAnyCli, type CliOptions } from '../../helpers/cli.js';
import type { ProcessResult, RunningProcess } from '../../helpers/process.js';

/** OPENCLAW_BACKUP_CLI points the suite at another build (the mutation check runs it against broken copies). */
export const CLI_PATH = process.env.OPENCLAW_BACKUP_CLI ?? CLI;

export type RunOptions = Omit<CliOptions, 'cli'>;
export type RunResult = ProcessResult;
export type RunningCli = RunningProcess;

/** Starts the CLI under test (see CLI_PATH) with the one runner in test/helpers. */
export function startCli(args: string[], options: RunOptions = {}): RunningCli {
  return startAnyCli(args, { ...options, cli: CLI_PATH });
}

export function runCli(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return startCli(args, options).done;
}

/** A crash is anything but our one-line error: a stack trace, an "unexpected error", a signal death. */
export function crashSigns(result: RunResult): string[] {
  const signs: string[] = [];
  if (result.timedOut) signs.push(`timed out after ${Math.round(result.durationMs)} ms`);
  if (result.signal) signs.push(`died of ${result.signal}`);
  if (/unexpected error/i.test(result.stderr)) signs.push('unexpected error');
  if (/^\s+at .+:\d+:\d+\)?$/m.test(result.stderr)) signs.push('stack trace');
  return signs;
}

export function describeRun(args: string[], result: RunResult): string {
  return `openclaw-backup ${args.join(' ')} → exit ${result.code}${result.signal ? ` (${result.signal})` : ''} in ${Math.round(result.durationMs)} ms\nstdout: ${result.stdout.trim()}\nstderr: ${result.stderr.trim()}`;
}
