import { findUnsafeConfigWriter } from '../core/config-safety.js';
import type { Log } from '../core/log.js';
import type { HookRecord } from '../core/status-record.js';
import type { RunOutcome } from './run-outcome.js';
import { runShellHook } from './run-shell-hook.js';

export interface OnFailureOptions {
  command: string;
  configPath: string;
  outcome: RunOutcome;
  timeoutMs: number;
  log: Log;
  /** The environment the hook inherits (the daemon's, without a passphrase variable). */
  baseEnv?: NodeJS.ProcessEnv;
  signal?: AbortSignal | undefined;
  uid?: number;
}

const MAX_ERROR = 1000;

/** The variables onFailure sees: what failed, where, and the exit code `run` gives it. */
export function failureEnvironment(outcome: RunOutcome): Record<string, string> {
  const error = (outcome.error ?? 'failed').replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return {
    OPENCLAW_BACKUP_ERROR: error.length > MAX_ERROR ? `${error.slice(0, MAX_ERROR - 1)}…` : error,
    OPENCLAW_BACKUP_EXIT_CODE: String(outcome.exitCode),
    OPENCLAW_BACKUP_PHASE: outcome.phase ?? 'backup',
    OPENCLAW_BACKUP_STATE_DIR: outcome.stateDir,
    OPENCLAW_BACKUP_PROFILE: outcome.profile,
    OPENCLAW_BACKUP_TRIGGER: outcome.trigger,
    ...(outcome.archive ? { OPENCLAW_BACKUP_ARCHIVE: outcome.archive } : {}),
  };
}

/**
 * Runs `onFailure` after a failed run, with the same rules as postBackup: refused when the config file could be
 * edited by someone else (they could run commands as us), killed with its process group after hookTimeout.
 * Never throws.
 */
export async function runOnFailureHook(options: OnFailureOptions): Promise<HookRecord> {
  const { log } = options;
  const problem = await findUnsafeConfigWriter(options.configPath, options.uid ?? process.getuid?.() ?? -1);
  if (problem) {
    const refused = `onFailure refused: ${problem}; run chmod 600 ${options.configPath}`;
    log.error({ config: options.configPath }, refused);
    return { exitCode: null, durationMs: 0, timedOut: false, error: refused };
  }
  log.info({ phase: options.outcome.phase, exitCode: options.outcome.exitCode }, 'running onFailure');
  const hook = await runShellHook({
    name: 'onFailure',
    command: options.command,
    env: failureEnvironment(options.outcome),
    timeoutMs: options.timeoutMs,
    log,
    baseEnv: options.baseEnv,
    signal: options.signal,
  });
  const fields = { exitCode: hook.exitCode, durationMs: hook.durationMs, timedOut: hook.timedOut };
  if (hook.error) log.error(fields, hook.error);
  else log.info(fields, 'onFailure finished');
  return hook;
}
