import { findUnsafeConfigWriter } from '../core/config-safety.js';
import type { Log } from '../core/log.js';
import type { HookRecord } from '../core/status-record.js';
import { runShellHook } from './run-shell-hook.js';

export interface HookEnv {
  archive: string;
  dir: string;
  bytes: number;
  /** The archive file's SHA-256; empty for a repository snapshot (restic addresses its data by hash itself). */
  sha256: string;
  stateDir: string;
  profile: string;
}

export interface RunHookOptions {
  command: string;
  env: HookEnv;
  timeoutMs: number;
  log: Log;
  /** The environment the hook inherits (the daemon's), before the OPENCLAW_* variables are added. */
  baseEnv?: NodeJS.ProcessEnv;
  signal?: AbortSignal | undefined;
  /** After SIGTERM to the group, how long before SIGKILL. */
  killGraceMs?: number;
}

export function hookEnvironment(env: HookEnv): Record<string, string> {
  return {
    OPENCLAW_BACKUP_ARCHIVE: env.archive,
    OPENCLAW_BACKUP_DIR: env.dir,
    OPENCLAW_BACKUP_BYTES: String(env.bytes),
    OPENCLAW_BACKUP_SHA256: env.sha256,
    OPENCLAW_STATE_DIR: env.stateDir,
    OPENCLAW_PROFILE: env.profile,
  };
}

/**
 * A config file that someone else may change (the file itself, or any directory above it, or above the link to it)
 * lets them run commands as us through `postBackup`; refuse it (doctor reports the same). Returns the reason with
 * the fix, or undefined when the file is safe.
 */
export async function checkConfigFileForHook(
  configPath: string,
  uid = process.getuid?.() ?? -1,
  hook = 'postBackup',
): Promise<string | undefined> {
  const problem = await findUnsafeConfigWriter(configPath, uid);
  return problem ? `${hook} refused: ${problem.reason}; run ${problem.fix}` : undefined;
}

/**
 * Runs `postBackup` through the shared hook runner (own process group, killed on timeout or abort, output to the
 * log). Never throws: the result says what happened, and the archive is never touched.
 */
export function runPostBackupHook(options: RunHookOptions): Promise<HookRecord> {
  const { env, ...rest } = options;
  return runShellHook({ ...rest, name: 'postBackup', env: hookEnvironment(env) });
}
