import { startCli, type RunOptions, type RunResult } from './cli.js';

export interface KillOutcome {
  /** True when the process was still running and got SIGKILL; false when it finished first. */
  killed: boolean;
  result: RunResult;
}

/** Starts the CLI and kill -9s it after `delayMs` unless it exited on its own first. */
export async function runAndKill(args: string[], delayMs: number, options: RunOptions = {}): Promise<KillOutcome> {
  const { child, done } = startCli(args, options);
  let exited = false;
  void done.then(() => (exited = true));
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, delayMs))]);
  let killed = false;
  if (!exited && child.exitCode === null && child.signalCode === null) {
    killed = child.kill('SIGKILL');
  }
  const result = await done;
  return { killed: killed && result.signal === 'SIGKILL', result };
}
