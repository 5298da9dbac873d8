import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './fs/atomic.js';

/** `<stateDir>/openclaw-backup-status.json`: what the last run did. Written atomically (temp + rename). */
export const STATUS_FILE = 'openclaw-backup-status.json';

export interface HookRecord {
  exitCode: number | null;
  durationMs: number;
  timedOut: boolean;
  /** Why the hook failed or was not run (refused, spawn error, signal), or null when it exited 0. */
  error?: string | null;
}

/** The steps of a run; a failed run names the one that failed (onFailure and the fail ping report it). */
export type RunPhase = 'backup' | 'verify' | 'prune' | 'postBackup';

/** One monitor ping (never the URL: it is the check's credential; `target` is scheme and host only). */
export interface PingRecord {
  kind: 'start' | 'success' | 'fail';
  ok: boolean;
  at: string;
  target: string;
  /** The last HTTP status, or null when no answer came. */
  status: number | null;
  attempts: number;
  error: string | null;
}

export interface LastRun {
  startedAt: string;
  finishedAt: string;
  result: 'ok' | 'failed' | 'interrupted';
  trigger: 'manual' | 'schedule' | 'catch-up' | 'run';
  archive: string | null;
  bytes: number | null;
  sha256: string | null;
  durationMs: number;
  pauseMs: number | null;
  pruned: string[];
  hook: HookRecord | null;
  /** One-line, secret-free error message. */
  error: string | null;
  /** The step that failed (null when the run succeeded). */
  phase?: RunPhase | null;
  /** The onFailure hook, when a failed run ran it. */
  onFailure?: HookRecord | null;
}

/** A successful run that has done nothing yet, with the fields given: what a run starts from and fills in. */
export function newLastRun(fields: Pick<LastRun, 'startedAt' | 'trigger'> & Partial<LastRun>): LastRun {
  return {
    finishedAt: '',
    result: 'ok',
    archive: null,
    bytes: null,
    sha256: null,
    durationMs: 0,
    pauseMs: null,
    pruned: [],
    hook: null,
    error: null,
    ...fields,
  };
}

export interface StatusRecord {
  version: 1;
  lastRun: LastRun | null;
  /** The newest successful run, kept when a later one fails (doctor's freshness check reads it). */
  lastSuccess: LastRun | null;
  nextRunAt: string | null;
  daemon: { pid: number; startedAt: string } | null;
  /** The monitor's last ping, and the last one that failed (kept when later pings succeed). */
  monitor?: { lastPing: PingRecord | null; lastFailure: PingRecord | null } | null;
  /**
   * The backups this state made, newest last (bounded): a backup of its series dated since `since` that is not here
   * was made elsewhere (another machine in the series, or anyone with the repository password).
   */
  made?: MadeBackups | null;
  /** Backups made by hand with `create` (as the store names them): the schedule's retention neither counts nor deletes them. */
  handMade?: string[];
}

/** How many hand-made backups the record remembers (oldest forgotten first). */
const HAND_MADE_LIMIT = 1000;

/** Records a backup made by hand, so that scheduled retention leaves it to `prune`. */
export function recordHandMade(stateDir: string, archive: string): Promise<StatusRecord> {
  return updateStatus(stateDir, (record) => ({
    ...record,
    handMade: [...(record.handMade ?? []).filter((a) => a !== archive), archive].slice(-HAND_MADE_LIMIT),
  }));
}

export interface MadeBackups {
  /** Tracking began (or, once the list is full, reaches back to) this backup time. */
  since: string;
  backups: { id: string; createdAt: string }[];
}

/** Enough for years of nightly backups under any usual retention; older ones count as "made before tracking". */
export const MADE_LIMIT = 500;

export function statusPathFor(stateDir: string): string {
  return path.join(stateDir, STATUS_FILE);
}

export function emptyStatus(): StatusRecord {
  return { version: 1, lastRun: null, lastSuccess: null, nextRunAt: null, daemon: null };
}

export type ReadStatus = { record: StatusRecord; corrupt: false } | { record: StatusRecord; corrupt: true; reason: string };

/** Reads the record; a missing file is an empty record, a corrupt one is reported (callers rebuild it). */
export async function readStatus(stateDir: string): Promise<ReadStatus> {
  let text: string;
  try {
    text = await fs.readFile(statusPathFor(stateDir), 'utf8');
  } catch {
    return { record: emptyStatus(), corrupt: false };
  }
  try {
    const parsed = JSON.parse(text) as StatusRecord;
    if (parsed?.version !== 1) throw new Error('unknown status version');
    return { record: { ...emptyStatus(), ...parsed }, corrupt: false };
  } catch (error) {
    return { record: emptyStatus(), corrupt: true, reason: (error as Error).message };
  }
}

export async function writeStatus(stateDir: string, record: StatusRecord): Promise<void> {
  await writeFileAtomic(statusPathFor(stateDir), `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

const pending = new Map<string, Promise<unknown>>();

/**
 * Read-modify-write of the record; a corrupt record is replaced. Updates from one process (the daemon's cycle,
 * reload and shutdown) are applied one after another, so none is lost.
 */
export function updateStatus(stateDir: string, change: (record: StatusRecord) => StatusRecord): Promise<StatusRecord> {
  const previous = pending.get(stateDir) ?? Promise.resolve();
  const next = previous
    .catch(() => {})
    .then(async () => {
      const { record } = await readStatus(stateDir);
      const updated = change(record);
      await writeStatus(stateDir, updated);
      return updated;
    });
  pending.set(stateDir, next);
  void next
    .finally(() => {
      if (pending.get(stateDir) === next) pending.delete(stateDir);
    })
    .catch(() => {});
  return next;
}

/** Clock skew between processes tolerated before a recorded time counts as "in the future". */
const FUTURE_SLACK_MS = 5 * 60_000;

/** Whether a recorded ISO time lies in the future: the clock was wrong when it was recorded (or is wrong now). */
export function isInFuture(iso: string | null | undefined, now: Date): boolean {
  const at = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(at) && at > now.getTime() + FUTURE_SLACK_MS;
}

/** The record's times that lie in the future, named for a message; empty when none does. */
export function futureTimes(record: StatusRecord, now: Date): string[] {
  const out: string[] = [];
  if (isInFuture(record.lastRun?.startedAt, now)) out.push(`last run ${record.lastRun?.startedAt}`);
  if (isInFuture(record.lastSuccess?.finishedAt, now) && record.lastSuccess?.finishedAt !== record.lastRun?.finishedAt) {
    out.push(`last success ${record.lastSuccess?.finishedAt}`);
  }
  return out;
}

/** Stands for "a run happened, when is unknown": every scheduled time since counts as missed. */
export const UNKNOWN_RUN_TIME = new Date(0);

/**
 * When the last run began, for catch-up: the record, else the newest archive (a lost record must not re-run).
 * A time in the future is unknown: trusting it would stop catch-up until the clock passes it, so the last run
 * counts as long ago and `future` says why.
 */
export async function lastRunForCatchUp(
  record: StatusRecord,
  newestArchive: () => Promise<Date | null>,
  now: Date,
): Promise<{ at: Date | null; future: string | undefined }> {
  const recorded = record.lastRun?.startedAt;
  if (recorded && !isInFuture(recorded, now)) return { at: new Date(recorded), future: undefined };
  const archived = await newestArchive();
  const archivedFuture = archived !== null && isInFuture(archived.toISOString(), now);
  if (archived && !archivedFuture) return { at: archived, future: recorded ? `last run ${recorded}` : undefined };
  if (recorded) return { at: UNKNOWN_RUN_TIME, future: `last run ${recorded}` };
  return archivedFuture ? { at: UNKNOWN_RUN_TIME, future: `newest archive ${archived?.toISOString()}` } : { at: null, future: undefined };
}

/** What names a backup in the record: the full snapshot id, or the archive's file name. */
export const madeIdOf = (backup: { archive: string; snapshot?: string | undefined }): string =>
  backup.snapshot ?? path.basename(backup.archive);

/** The record with one more backup this state made. */
export function recordMade(
  record: StatusRecord,
  backup: { archive: string; snapshot?: string | undefined; createdAt: string },
): StatusRecord {
  const entry = { id: madeIdOf(backup), createdAt: backup.createdAt };
  const previous = record.made?.backups ?? [];
  const backups = [...previous.filter((b) => b.id !== entry.id), entry].slice(-MADE_LIMIT);
  const oldest = backups.reduce((min, b) => (Date.parse(b.createdAt) < Date.parse(min) ? b.createdAt : min), entry.createdAt);
  const since = previous.length + 1 > MADE_LIMIT || !record.made ? oldest : record.made.since;
  return { ...record, made: { since, backups } };
}

/**
 * Whether this state made a backup, by its record: true, false (dated since tracking began, yet not recorded), or
 * undefined (older than the record, or no record).
 */
export function wasMadeHere(
  record: StatusRecord,
  backup: { archive: string; snapshot?: string | undefined; createdAt: string },
): boolean | undefined {
  const made = record.made;
  if (!made) return undefined;
  const id = madeIdOf(backup);
  if (made.backups.some((b) => b.id === id)) return true;
  return Date.parse(backup.createdAt) >= Date.parse(made.since) ? false : undefined;
}
