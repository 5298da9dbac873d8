import { findUnsafeConfigWriter } from '../core/config-safety.js';
import readline from 'node:readline';
import { execa } from 'execa';
import type { Log } from '../core/log.js';
import type { HookRecord } from '../core/status-record.js';

export interface HookEnv {
  archive: string;
  dir: string;
  bytes: number;
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
export async function checkConfigFileForHook(configPath: string, uid = process.getuid?.() ?? -1): Promise<string | undefined> {
  const problem = await findUnsafeConfigWriter(configPath, uid);
  return problem ? `postBackup refused: ${problem.reason}; run ${problem.fix}` : undefined;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/**
 * Runs `postBackup` through the shell in its own process group, so a timeout or an abort kills everything it
 * started (an rclone child included). Output goes to the log line by line. Never throws: the result says what
 * happened, and the archive is never touched.
 */
export async function runPostBackupHook(options: RunHookOptions): Promise<HookRecord> {
  const started = Date.now();
  const child = execa(options.command, {
    shell: true,
    detached: true,
    reject: false,
    stdin: 'ignore',
    buffer: false,
    env: { ...(options.baseEnv ?? process.env), ...hookEnvironment(options.env) },
    extendEnv: false,
  });
  const lines = (stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr') => {
    if (!stream) return;
    const reader = readline.createInterface({ input: stream, crlfDelay: Infinity });
    reader.on('line', (line) => options.log.info({ hook: name }, line));
  };
  lines(child.stdout, 'stdout');
  lines(child.stderr, 'stderr');

  let timedOut = false;
  let aborted = false;
  const stop = () => {
    killGroup(child.pid, 'SIGTERM');
    setTimeout(() => killGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 2000).unref();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutMs);
  const onAbort = () => {
    aborted = true;
    stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const result = await child;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  // Whatever the shell left behind in its group goes too.
  killGroup(child.pid, 'SIGKILL');

  const durationMs = Date.now() - started;
  const exitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
  let error: string | null = null;
  if (timedOut) error = `postBackup timed out after ${options.timeoutMs} ms; its process group was killed`;
  else if (aborted) error = 'postBackup interrupted; its process group was killed';
  else if (result.failed) error = exitCode === null ? `postBackup ${result.signal ? `killed by ${result.signal}` : `failed: ${result.shortMessage}`}` : `postBackup exited with code ${exitCode}`;
  return { exitCode, durationMs, timedOut, error };
}
