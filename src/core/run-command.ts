// execa (with its dependencies, ~20 MB) loads when a program is first run, not with the CLI: the idle daemon never needs it.

export interface RunResult {
  /** null when the program could not be started at all (see `missing`). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** The program is not installed (ENOENT). */
  missing: boolean;
}

export interface RunOptions {
  /** Extra variables on top of the runner's environment. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs an external program (systemctl, launchctl, loginctl, openclaw). Injected so tests control PATH or fake it. */
export type CommandRunner = (file: string, args: string[], options?: RunOptions) => Promise<RunResult>;

export function createCommandRunner(env: NodeJS.ProcessEnv, defaultTimeoutMs = 60_000): CommandRunner {
  return async (file, args, options = {}) => {
    const { execa } = await import('execa');
    const result = await execa(file, args, {
      env: { ...env, ...options.env },
      extendEnv: false,
      reject: false,
      timeout: options.timeoutMs ?? defaultTimeoutMs,
      stdin: 'ignore',
    });
    const missing = (result as { code?: string }).code === 'ENOENT';
    const timedOut = result.timedOut ? `${file}: timed out after ${options.timeoutMs ?? defaultTimeoutMs} ms` : '';
    return {
      code: missing || result.timedOut ? null : (result.exitCode ?? null),
      stdout: String(result.stdout ?? ''),
      stderr: missing ? `${file}: not found on PATH` : timedOut || String(result.stderr ?? ''),
      missing,
    };
  };
}

/** A command line a user can paste into a shell. */
export function formatCommand(file: string, args: string[]): string {
  return [file, ...args].map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ');
}
