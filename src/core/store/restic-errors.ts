import { sandboxHint } from '../sandbox-hint.js';
import { BackupError, BusyError, ConfigError, IntegrityError } from '../../errors.js';
import { formatDuration, type ResticLimits } from './restic-limits.js';
import type { ResticRepository } from './restic-repository.js';

/** restic's stderr without terminal control sequences, progress lines and blanks. */
export function resticMessages(stderr: string): string[] {
  return stderr
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^\[\d+:\d+\]/.test(line));
}

const ERRORS_COUNTED = /^(?:Fatal: )?There were (\d+) errors$/;

/**
 * The line that says what went wrong: the last `Fatal:` line, else the last line. restic's restore ends with only a
 * count ("There were 2 errors"): the first file it names is the reason then (one it could not chown comes last).
 */
export function lastReason(stderr: string): string {
  const lines = resticMessages(stderr);
  const counted = ERRORS_COUNTED.exec(lines.at(-1) ?? '');
  const errors = lines.filter((line) => line.startsWith('ignoring error for '));
  const first = errors.find((line) => !/: Lchown: lchown /.test(line)) ?? errors[0];
  if (counted && first)
    return `${first.replace(/^ignoring error for /, '')}${counted[1] === '1' ? '' : ` (and ${Number(counted[1]) - 1} more)`}`;
  const fatal = lines.filter((line) => /^Fatal:|cannot dump|failed/i.test(line)).at(-1) ?? lines.at(-1) ?? 'no message';
  return fatal.replace(/^Fatal:\s*/, '');
}

/**
 * A restore whose only errors are ownership restic could not set (`Lchown: … invalid argument` for a root-owned
 * parent such as /home in the user namespace systemd 253+ gives a sandboxed user unit): every file is there. restic
 * itself ignores the EPERM a non-root user gets (like cp and rsync); what we stage from it is written as the user
 * who runs restore, whatever restic managed to set.
 */
export function onlyOwnershipErrors(exitCode: number, stderr: string): boolean {
  const lines = resticMessages(stderr);
  const counted = ERRORS_COUNTED.exec(lines.at(-1) ?? '');
  const errors = lines.filter((line) => line.startsWith('ignoring error for '));
  return (
    exitCode === 1 && counted !== null && errors.length === Number(counted[1]) && errors.every((line) => /: Lchown: lchown /.test(line))
  );
}

/** A lock restic cannot write for a reason that will not pass: the repository is read-only (a mount, a key, a sandbox). */
const LOCK_DENIED = /(read-only file system|permission denied|access ?denied|forbidden|not authorized|\b403\b)/i;

/** restic's live stderr line when saving its lock fails for good: the command can be stopped at once. */
export function isLockDeniedLine(line: string): boolean {
  return /Save\(<lock\/[0-9a-f]+>\) returned error/.test(line) && LOCK_DENIED.test(line);
}

/** A failed run's stderr says restic could not write its lock because the repository is read-only. */
export function isLockDenied(stderr: string): boolean {
  return resticMessages(stderr).some(isLockDeniedLine) || (/unable to create lock in backend/i.test(stderr) && LOCK_DENIED.test(stderr));
}

/** The repository cannot take a lock, so nothing that writes can run: one line, with the sandbox when it is the cause. */
export function readOnlyError(repo: ResticRepository, command: string, stderr: string): BackupError {
  const cause =
    resticMessages(stderr)
      .find(isLockDeniedLine)
      ?.replace(/^.*returned error, (?:retrying after [^:]+: )?/, '') ?? lastReason(stderr);
  const reason = LOCK_DENIED.exec(cause)?.[1] ?? 'read-only';
  return new BackupError(
    'failure',
    `repository ${repo.location} is read-only (restic ${command} cannot write its lock: ${reason.toLowerCase()})${sandboxHint(repo.env, cause)}`,
  );
}

const UNREACHABLE =
  /connection refused|no such host|i\/o timeout|network is unreachable|no route to host|timeout|unable to start the sftp session|ssh:|x509|certificate|tls:|server gave HTTP response|503 Service|502 Bad|dial tcp/i;
const DAMAGED =
  /ciphertext verification failed|invalid data returned|hash mismatch|decrypting blob|is damaged|unexpected EOF|checksum|pack .* (contains|does not exist|not found)|blob .* not found|loading blob .* failed/i;

/**
 * Turns a failed restic run into one line with our exit code: wrong password and a missing repository are the
 * configuration's fault (2), a lock held elsewhere is busy (4), damaged data is integrity (3), the rest failure (1).
 * Messages name the repository without credentials and never hold restic's stack traces.
 */
export function describeResticFailure(repo: ResticRepository, command: string, exitCode: number | undefined, stderr: string): BackupError {
  // restic names request URLs too (Head "https://user:secret@host/config"): every `//user:secret@` is masked.
  const clean = (t: string) => t.replaceAll(repo.url, repo.location).replace(/(\/\/[^/@:\s"]*):[^/@\s"]*@/g, '$1:***@');
  const text = clean(resticMessages(stderr).join('\n'));
  const reason = clean(lastReason(stderr));
  const where = `repository ${repo.location}`;
  if (/wrong password or no key found/i.test(text)) {
    return new ConfigError(`${repo.passwordKey}: wrong password for ${where} (restic: wrong password or no key found)`);
  }
  if (/repository is already locked/i.test(text)) {
    const by = /locked (?:exclusively )?by (.+)$/im.exec(text)?.[1];
    return new BusyError(
      `${where} is locked by another restic process${by ? ` (${by.trim()})` : ''}; a stale lock of a dead process here is removed by the next run, or run: restic unlock`,
    );
  }
  if (isLockDenied(stderr)) return readOnlyError(repo, command, stderr);
  if (UNREACHABLE.test(text)) {
    return new BackupError('failure', `cannot reach ${where}: ${reason}`);
  }
  if (/Is there a repository at the following location|unable to open config file|config file has zero size/i.test(text)) {
    return new ConfigError(
      `${repo.keyPath}: no restic repository at ${repo.location}; create one with: openclaw-backup repository init (or create --init)`,
    );
  }
  if (DAMAGED.test(text)) return new IntegrityError(`${where}: restic ${command}: ${reason}`);
  return new BackupError(
    'failure',
    `restic ${command} failed on ${where}: ${reason}${exitCode !== undefined ? ` (exit ${exitCode})` : ''}${sandboxHint(repo.env, text)}`,
  );
}

/**
 * A command we stopped because it hung: past its deadline, or without progress for the stall time. A failure (exit 1)
 * that names the setting, so a run records it and monitoring hears of it.
 */
export function hungError(repo: ResticRepository, command: string, why: 'deadline' | 'stalled', limits: ResticLimits): BackupError {
  const where = `repository ${repo.location}`;
  return why === 'deadline'
    ? new BackupError(
        'failure',
        `restic ${command} on ${where} did not finish within ${formatDuration(limits.commandTimeoutMs)} (${limits.keyPath}.commandTimeout); stopped it`,
      )
    : new BackupError(
        'failure',
        `restic ${command} on ${where} made no progress for ${formatDuration(limits.stallTimeoutMs)} (${limits.keyPath}.stallTimeout); stopped it`,
      );
}
