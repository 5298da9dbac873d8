import { PassThrough, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackupError, ConfigError, InterruptedError, isBackupError } from '../../errors.js';
import { startAttempt, type AttemptResult } from './restic-child.js';
import { describeResticFailure, hungError, isLockDenied, isLockDeniedLine, readOnlyError } from './restic-errors.js';
import { DEFAULT_RESTIC_LIMITS, formatDuration, isLongCommand, isReadCommand, subcommandOf, type ResticLimits } from './restic-limits.js';
import { checkPassword, resticEnv, type ResticRepository } from './restic-repository.js';

export const MIN_RESTIC = [0, 14] as const;
const INSTALL = 'install it: Debian/Ubuntu `apt install restic`, macOS `brew install restic`';

export const limitsOf = (repo: ResticRepository): ResticLimits => repo.limits ?? DEFAULT_RESTIC_LIMITS;

/** Aborts when either does: a command's signal and a call's own. */
export function anySignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  return a && b && a !== b ? AbortSignal.any([a, b]) : (a ?? b);
}

/** The restic on PATH: its version, or why it cannot be used (the message names the key). */
export async function findRestic(repo: ResticRepository, signal?: AbortSignal): Promise<{ version: string } | { problem: string }> {
  const { execa } = await import('execa');
  const result = await execa('restic', ['version'], {
    env: resticEnv(repo),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: Math.min(60_000, limitsOf(repo).commandTimeoutMs),
    cancelSignal: signal,
    killSignal: 'SIGINT',
  });
  if (result.isCanceled || signal?.aborted) throw new InterruptedError('restic version interrupted');
  if ((result as { code?: string }).code === 'ENOENT')
    return { problem: `${repo.keyPath}: restic is not installed (not found on PATH); ${INSTALL}` };
  const match = /restic (\d+)\.(\d+)\.(\d+)/.exec(String(result.stdout ?? ''));
  if (result.exitCode !== 0 || !match)
    return {
      problem: `${repo.keyPath}: \`restic version\` failed (${String(result.stderr || result.shortMessage)
        .trim()
        .split('\n')
        .at(-1)}); ${INSTALL}`,
    };
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const version = `${match[1]}.${match[2]}.${match[3]}`;
  if (major < MIN_RESTIC[0] || (major === MIN_RESTIC[0] && minor < MIN_RESTIC[1])) {
    return {
      problem: `${repo.keyPath}: restic ${version} is too old (${MIN_RESTIC.join('.')} or newer is needed); ${INSTALL.replace('install it', 'upgrade it')}`,
    };
  }
  return { version };
}

const ready = new WeakMap<ResticRepository, Promise<void>>();

/** Once per repository object: restic is there and new enough, and the password can be read. */
export function ensureRestic(repo: ResticRepository, signal?: AbortSignal): Promise<void> {
  let check = ready.get(repo);
  if (!check) {
    check = (async () => {
      const found = await findRestic(repo, signal);
      if ('problem' in found) throw new ConfigError(found.problem);
      await checkPassword(repo);
    })();
    ready.set(repo, check);
    check.catch(() => ready.delete(repo));
  }
  return check;
}

/** Repositories found read-only: their reads run with --no-lock from then on, and the user was told once. */
const readOnly = new WeakSet<ResticRepository>();

export function isReadOnlyRepository(repo: ResticRepository): boolean {
  return readOnly.has(repo);
}

export interface RunResticOptions {
  /**
   * The run's abort signal (required, so no call can forget it): SIGTERM/SIGINT of ours stop restic with SIGINT,
   * which cancels and removes its lock, and the call throws InterruptedError.
   */
  signal: AbortSignal | undefined;
  /** What the failure message calls the command (default: the subcommand). */
  command?: string;
  /** Overrides the deadline of a short command (default limits.commandTimeoutMs). */
  timeoutMs?: number;
  /** Overrides the stall time of a long command (default limits.stallTimeoutMs). */
  stallMs?: number;
  /** Whether the command only reads, so it may run with --no-lock on a read-only repository (default: by subcommand). */
  readOnly?: boolean;
  /** Overrides how long a lock held elsewhere is waited for (default limits.lockWaitMs; 0: one retry after unlock). */
  lockWaitMs?: number;
  /** A failed exit that still did the work (restore: only ownership could not be set). */
  acceptExit?: ((exitCode: number, stderr: string) => boolean) | undefined;
}

interface Plan {
  repo: ResticRepository;
  args: string[];
  command: string;
  limits: ResticLimits;
  long: boolean;
  reads: boolean;
  signal: AbortSignal | undefined;
  timeoutMs: number | undefined;
  stallMs: number | undefined;
  acceptExit: ((exitCode: number, stderr: string) => boolean) | undefined;
}

function planOf(repo: ResticRepository, args: string[], options: RunResticOptions): Plan {
  const limits = options.lockWaitMs === undefined ? limitsOf(repo) : { ...limitsOf(repo), lockWaitMs: options.lockWaitMs };
  const long = isLongCommand(args);
  return {
    repo,
    args,
    command: options.command ?? subcommandOf(args),
    limits,
    long,
    reads: options.readOnly ?? isReadCommand(args),
    signal: options.signal,
    timeoutMs: long ? undefined : (options.timeoutMs ?? limits.commandTimeoutMs),
    stallMs: long ? (options.stallMs ?? limits.stallTimeoutMs) : undefined,
    acceptExit: options.acceptExit,
  };
}

const argvOf = (plan: Plan): string[] => [
  ...plan.repo.globalArgs,
  ...(plan.reads && readOnly.has(plan.repo) ? ['--no-lock'] : []),
  ...plan.args,
];

type Next = { retry: true } | { retry: false; error: BackupError | undefined };

/**
 * What to do after one attempt: done, a typed error, or try again: once without a lock when a read finds the
 * repository read-only, and for a while (limits.lockWaitMs, with `restic unlock` first, which removes only stale
 * locks) when someone else holds the lock.
 */
async function judge(plan: Plan, result: AttemptResult, started: number, tries: number): Promise<Next> {
  const { repo, command } = plan;
  if (result.stopped === 'aborted' || plan.signal?.aborted)
    return { retry: false, error: new InterruptedError(`restic ${command} interrupted`) };
  if (result.stopped === 'deadline' || result.stopped === 'stalled')
    return { retry: false, error: hungError(repo, command, result.stopped, plan.limits) };
  if (result.exitCode === 0 && !result.stopped) return { retry: false, error: undefined };
  if (!result.stopped && result.exitCode !== undefined && plan.acceptExit?.(result.exitCode, result.stderr))
    return { retry: false, error: undefined };
  if (result.stopped === 'lock-denied' || isLockDenied(result.stderr)) {
    if (!plan.reads || readOnly.has(repo)) return { retry: false, error: readOnlyError(repo, command, result.stderr) };
    readOnly.add(repo);
    repo.onNotice?.(`repository ${repo.location} is read-only (restic cannot write a lock there): reading it without a lock`);
    return { retry: true };
  }
  const failure = describeResticFailure(repo, command, result.exitCode, result.stderr);
  if (failure.kind !== 'busy') return { retry: false, error: failure };
  // A stale lock (a dead process of ours, or one nobody refreshed for 30 minutes) goes at once; a live one is waited for.
  await runRestic(repo, ['unlock'], { signal: plan.signal }).catch(() => {});
  const waited = Date.now() - started;
  if (tries === 0) return { retry: true };
  if (waited >= plan.limits.lockWaitMs) {
    return {
      retry: false,
      error: new BackupError(
        'busy',
        `${failure.message.replace(/; a stale lock.*$/, '')}; waited ${formatDuration(plan.limits.lockWaitMs)} (${plan.limits.keyPath}.lockWait)`,
        { cause: failure },
      ),
    };
  }
  const pause = Math.min(60_000, Math.max(1_000, plan.limits.lockWaitMs / 4), 2_000 * 2 ** (tries - 1), plan.limits.lockWaitMs - waited);
  if (tries === 1)
    repo.onNotice?.(`${failure.message.replace(/; a stale lock.*$/, '')}; retrying for up to ${formatDuration(plan.limits.lockWaitMs)}`);
  try {
    await sleep(pause, undefined, { signal: plan.signal });
  } catch {
    return { retry: false, error: new InterruptedError(`restic ${command} interrupted while waiting for the repository lock`) };
  }
  return { retry: true };
}

/**
 * Runs one restic command to completion and returns its stdout. Bounded: the abort signal, a deadline (short
 * commands) or a stall detector (long ones) stop it; every failure is one typed line (never a stack trace).
 */
export async function runRestic(repo: ResticRepository, args: string[], options: RunResticOptions): Promise<string> {
  await ensureRestic(repo, options.signal);
  const plan = planOf(repo, args, options);
  const started = Date.now();
  for (let tries = 0; ; tries += 1) {
    const attempt = await startAttempt(argvOf(plan), {
      env: resticEnv(repo),
      signal: plan.signal,
      timeoutMs: plan.timeoutMs,
      stallMs: plan.stallMs,
      stdout: 'buffer',
      isFatalLine: isLockDeniedLine,
    });
    const result = await attempt.result;
    const next = await judge(plan, result, started, tries);
    if (next.retry) continue;
    if (next.error) throw next.error;
    return result.stdout;
  }
}

/** restic's --json output: one JSON value per line (backup, ls) or one document (snapshots, find, stats). */
export function parseJsonLines(stdout: string): unknown[] {
  const out: unknown[] = [];
  for (const line of stdout.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) continue;
    try {
      out.push(JSON.parse(trimmed));
    } catch {
      // a line restic wrapped or a non-JSON notice: not ours to parse
    }
  }
  return out;
}

export interface SpawnResticOptions extends RunResticOptions {
  /** 'stream': stdout is data for the caller (dump); 'json': each JSON line goes to onJson (backup --json). */
  stdout: 'stream' | 'json';
  onJson?: ((message: unknown) => void) | undefined;
  /** Exit codes that are not a failure (backup: 3, the snapshot was made but some files could not be read). */
  acceptExitCodes?: number[] | undefined;
}

/** How restic ended when it ended well: its exit code (one of the accepted ones) and what it said on stderr. */
export interface ResticExit {
  exitCode: number;
  stderr: string;
}

export interface ResticProcess {
  /**
   * In 'stream' mode the data; it ends when restic ended well and is destroyed with the error otherwise (an 'error'
   * listener is attached, so the error never goes unhandled: await `done`).
   */
  readonly stdout: Readable;
  /** Settles when restic is gone: resolves on success (or after stop()), rejects with the typed error. */
  readonly done: Promise<ResticExit>;
  /** The reader is done early: restic is stopped, and its lock removed if it died before removing it. */
  stop(): void;
}

/**
 * Starts a long restic command whose output is read as it comes (a dump's data, a backup's status lines). The
 * returned process owns the child's lifetime: signal, stall detector, retries before any output (a read-only
 * repository, a lock held elsewhere), and the stale lock of a reader that stopped early.
 */
export async function spawnRestic(repo: ResticRepository, args: string[], options: SpawnResticOptions): Promise<ResticProcess> {
  await ensureRestic(repo, options.signal);
  const plan = planOf(repo, args, options);
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  out.on('error', () => {});
  let current: { stop: (reason: 'caller') => void } | undefined;
  let stoppedByCaller = false;
  let finished = false;
  const stop = () => {
    if (finished) return;
    stoppedByCaller = true;
    current?.stop('caller');
  };
  // A reader that destroys the stream is done with it.
  out.on('close', stop);
  const onLine = (line: string) => {
    const [message] = parseJsonLines(line);
    if (message !== undefined) options.onJson?.(message);
  };
  const accepted = options.acceptExitCodes ?? [0];
  const run = async (): Promise<ResticExit> => {
    const started = Date.now();
    for (let tries = 0; ; tries += 1) {
      const attempt = await startAttempt(argvOf(plan), {
        env: resticEnv(repo),
        signal: plan.signal,
        timeoutMs: plan.timeoutMs,
        stallMs: plan.stallMs,
        stdout: options.stdout === 'stream' ? 'stream' : 'lines',
        onLine,
        isFatalLine: isLockDeniedLine,
      });
      current = attempt;
      if (stoppedByCaller) attempt.stop('caller');
      attempt.stdout?.pipe(out, { end: false });
      const result = await attempt.result;
      const exit = { exitCode: result.exitCode ?? -1, stderr: result.stderr };
      if (result.stopped === 'caller' || stoppedByCaller) {
        // restic dies on the closed pipe before it removes its lock: only a stale lock of ours goes (restic unlock).
        if (result.exitCode !== 0) await runRestic(repo, ['unlock'], { signal: undefined }).catch(() => {});
        return exit;
      }
      if (!result.stopped && !plan.signal?.aborted && result.exitCode !== 0 && accepted.includes(exit.exitCode)) return exit;
      // Retrying is safe only while the reader has had nothing (restic takes its lock before it writes a byte).
      const next = result.stdoutBytes === 0 ? await judge(plan, result, started, tries) : undefined;
      if (next?.retry) continue;
      const error = next ? next.error : finalError(plan, result);
      if (error) throw error;
      return exit;
    }
  };
  const done = run().then(
    (exit) => {
      finished = true;
      out.end();
      return exit;
    },
    (error: unknown) => {
      finished = true;
      const failure = isBackupError(error)
        ? error
        : new BackupError('failure', `restic ${plan.command}: ${String(error)}`, { cause: error });
      out.destroy(failure);
      throw failure;
    },
  );
  done.catch(() => {});
  return {
    stdout: out,
    done,
    stop,
  };
}

/** After output was read, nothing is retried: the outcome is final. */
function finalError(plan: Plan, result: AttemptResult): BackupError | undefined {
  if (result.stopped === 'aborted' || plan.signal?.aborted) return new InterruptedError(`restic ${plan.command} interrupted`);
  if (result.stopped === 'deadline' || result.stopped === 'stalled') return hungError(plan.repo, plan.command, result.stopped, plan.limits);
  if (result.exitCode === 0 && !result.stopped) return undefined;
  if (!result.stopped && result.exitCode !== undefined && plan.acceptExit?.(result.exitCode, result.stderr)) return undefined;
  return describeResticFailure(plan.repo, plan.command, result.exitCode, result.stderr);
}
