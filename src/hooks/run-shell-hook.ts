import readline from 'node:readline';
import type { Log } from '../core/log.js';
import type { HookRecord } from '../core/status-record.js';

export interface ShellHookOptions {
  /** The config key, for messages: "postBackup", "onFailure". */
  name: string;
  command: string;
  /** The OPENCLAW_* variables this hook gets, added to baseEnv. */
  env: Record<string, string>;
  timeoutMs: number;
  log: Log;
  /** The environment the hook inherits (the daemon's), before `env` is added. */
  baseEnv?: NodeJS.ProcessEnv;
  signal?: AbortSignal | undefined;
  /** After SIGTERM to the group, how long before SIGKILL. */
  killGraceMs?: number;
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
 * Runs a hook command through the shell in its own process group, so a timeout or an abort kills everything it
 * started (an rclone child included). Output goes to the log line by line. Never throws: the result says what
 * happened.
 */
export async function runShellHook(options: ShellHookOptions): Promise<HookRecord> {
  const { name } = options;
  const started = Date.now();
  // execa (with its dependencies, ~20 MB) loads when a hook first runs, not with the CLI: the idle daemon never needs it.
  const { execa } = await import('execa');
  const child = execa(options.command, {
    shell: true,
    detached: true,
    reject: false,
    stdin: 'ignore',
    buffer: false,
    env: { ...(options.baseEnv ?? process.env), ...options.env },
    extendEnv: false,
  });
  const lines = (stream: NodeJS.ReadableStream | null, hook: 'stdout' | 'stderr') => {
    if (!stream) return;
    const reader = readline.createInterface({ input: stream, crlfDelay: Infinity });
    reader.on('line', (line) => options.log.info({ hook, name }, line));
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
  if (timedOut) error = `${name} timed out after ${options.timeoutMs} ms; its process group was killed`;
  else if (aborted) error = `${name} interrupted; its process group was killed`;
  else if (result.failed)
    error =
      exitCode === null
        ? `${name} ${result.signal ? `killed by ${result.signal}` : `failed: ${result.shortMessage}`}`
        : `${name} exited with code ${exitCode}`;
  return { exitCode, durationMs, timedOut, error };
}
