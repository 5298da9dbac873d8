/**
 * How long a restic child may take. Short commands get a deadline; long ones (they move the data) a stall detector:
 * they may take hours, but not minutes without progress. A repository locked by someone else is retried for a while.
 */
export interface ResticLimits {
  /** Deadline of a short command (snapshots, unlock, forget, cat config, ls, stats, tag, init, version). */
  commandTimeoutMs: number;
  /** A long command (backup, restore, dump, check, prune) that makes no progress for this long is stopped. */
  stallTimeoutMs: number;
  /** How long a command keeps retrying while another process (another host's backup or prune) holds the lock. */
  lockWaitMs: number;
  /** Where they are set, for messages: `backup.repository` (or the plugin path). */
  keyPath: string;
}

/** Generous enough for a slow uplink and a cold cache (the schema's defaults say the same). */
export const DEFAULT_RESTIC_LIMITS: ResticLimits = {
  commandTimeoutMs: 15 * 60_000,
  stallTimeoutMs: 30 * 60_000,
  lockWaitMs: 30 * 60_000,
  keyPath: 'backup.repository',
};

/** 90000 → "90s", 1800000 → "30m": how the settings are written. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

/** The restic subcommand in an argument list (flags before it are restic's global options). */
export const subcommandOf = (args: readonly string[]): string => args.find((a) => !a.startsWith('-')) ?? '';

const LONG = new Set(['backup', 'restore', 'dump', 'check', 'prune', 'copy', 'rebuild-index', 'repair', 'mount']);

/** Commands that move data and get a stall detector instead of a deadline (`forget --prune` prunes). */
export function isLongCommand(args: readonly string[]): boolean {
  const command = subcommandOf(args);
  return LONG.has(command) || (command === 'forget' && args.includes('--prune'));
}

const READS = new Set(['snapshots', 'ls', 'dump', 'restore', 'stats', 'cat', 'find', 'diff', 'check', 'list']);

/** Commands that only read the repository, so they may run without a lock (`--no-lock`) on a read-only one. */
export function isReadCommand(args: readonly string[]): boolean {
  return READS.has(subcommandOf(args));
}
