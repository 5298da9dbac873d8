/**
 * Typed errors and the one map from their kinds to exit codes. Core code throws these; the CLI (src/cli/cli.ts) is
 * the one place that turns an error into the process's exit code, and the run report states the same code.
 * Messages are one line, name the path or key at fault, and never contain secret values.
 */
export type ErrorKind = 'failure' | 'usage' | 'config' | 'integrity' | 'busy' | 'already-running' | 'interrupted';

/** The one map from error kind to process exit code. Documented in README and every --help. */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  config: 2,
  integrity: 3,
  busy: 4,
  'already-running': 78,
  interrupted: 130,
} as const satisfies Record<ErrorKind | 'ok', number>;

export function exitCodeFor(kind: ErrorKind): number {
  return EXIT_CODES[kind];
}

export interface BackupErrorOptions {
  cause?: unknown;
  /** Extra machine-readable detail for --json output (never secrets). */
  details?: Record<string, unknown>;
}

export class BackupError extends Error {
  readonly kind: ErrorKind;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, message: string, options: BackupErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BackupError';
    this.kind = kind;
    this.details = options.details;
  }
}

/** Bad command-line usage: unknown component, conflicting flags. */
export class UsageError extends BackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super('usage', message, options);
    this.name = 'UsageError';
  }
}

/** Invalid or unreadable configuration; the message starts with the key path. */
export class ConfigError extends BackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super('config', message, options);
    this.name = 'ConfigError';
  }
}

/** An archive or snapshot failed a check: corrupt, truncated, tampered, hostile. */
export class IntegrityError extends BackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super('integrity', message, options);
    this.name = 'IntegrityError';
  }
}

/** Refused because something else holds the state: our lock, a running gateway. */
export class BusyError extends BackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super('busy', message, options);
    this.name = 'BusyError';
  }
}

/** The run was cancelled through its AbortSignal (Ctrl-C, SIGTERM). */
export class InterruptedError extends BackupError {
  constructor(message = 'interrupted', options?: BackupErrorOptions) {
    super('interrupted', message, options);
    this.name = 'InterruptedError';
  }
}

export function isBackupError(error: unknown): error is BackupError {
  return error instanceof BackupError;
}

/** Throws InterruptedError when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError();
}

/** A short, secret-free description of an fs error: "EACCES: permission denied". */
export function describeFsError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = String((error as { code: unknown }).code);
    const known: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      ENOSPC: 'no space left on device',
      EISDIR: 'is a directory',
      ENOTDIR: 'not a directory',
      EEXIST: 'already exists',
      EROFS: 'read-only file system',
      EDQUOT: 'disk quota exceeded',
      ELOOP: 'too many symbolic links',
      ENAMETOOLONG: 'file name too long',
    };
    return `${code}: ${known[code] ?? 'file system error'}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The one wrapper for errors that are not ours yet: a BackupError passes through; anything else (a raw fs error,
 * a library's Error) becomes a 'failure' with one line, `<action> failed: EACCES: permission denied (path)`.
 */
export function toBackupError(error: unknown, action?: string): BackupError {
  if (error instanceof BackupError) return error;
  const where = (error as NodeJS.ErrnoException | undefined)?.path;
  const reason = `${describeFsError(error)}${where ? ` (${where})` : ''}`;
  return new BackupError('failure', action ? `${action} failed: ${reason}` : reason, { cause: error });
}
