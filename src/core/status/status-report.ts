import os from 'node:os';
import type { LoadedConfig } from '../../config/load.js';
import type { StatePaths } from '../../config/paths.js';
import { newestPast, overdueSince } from './freshness.js';
import { nextFireTime } from '../schedule.js';
import { openStore } from '../store/open-store.js';
import type { BackupStore, StoreStats } from '../store/types.js';
import { isProcessAlive } from '../fs/atomic.js';
import { DAEMON_LOCK_NAME, readLockOwner } from '../locks/lock.js';
import {
  emptyStatus,
  futureTimes,
  newLastRun,
  readStatus,
  statusPathFor,
  writeStatus,
  type LastRun,
  type PingRecord,
  type StatusRecord,
} from '../status-record.js';
import { redactPingUrl } from '../ping-url.js';
import { readStateIdentity } from '../identity/identity-file.js';
import { findRollbackCopies, summarizeRollbackCopies, type RollbackSummary } from '../rollback/find-copies.js';

export interface StatusReport {
  stateDir: string;
  profile: string;
  /** The state's id: the series its backups belong to (null before its first backup). */
  stateId: string | null;
  config: { path: string; exists: boolean; location: LoadedConfig['location']; keyPrefix: string };
  auto: boolean;
  schedule: string;
  timezone: string | null;
  nextRunAt: string | null;
  lastRun: LastRun | null;
  lastSuccess: LastRun | null;
  /** The last run's error when it did not succeed, else null. */
  lastError: string | null;
  /**
   * Doctor's freshness rule: two scheduled runs missed since the newest success (a run or an archive), or 14 days
   * without auto; true when there never was one.
   */
  overdue: { overdue: boolean; rule: string; lastSuccessAt: string | null };
  /**
   * The store's backups: archives in a dir, or this state's snapshots in a repository (storedBytes: after deduplication).
   * `newestCreatedAt`: a `create` leaves no run record, but its backup is a backup all the same (doctor counts it).
   */
  archives: {
    kind: StoreStats['kind'];
    dir: string;
    count: number;
    bytes: number;
    storedBytes: number | null;
    newest: string | null;
    newestCreatedAt: string | null;
    /** This state's backups dated in the future: not counted (never newest, never fresh). */
    suspect: { archive: string; createdAt: string; hostname: string | null; reason: string }[];
  };
  daemon: { running: boolean; pid: number | null; startedAt: string | null };
  /** The ping URL's scheme and host only (the rest is the check's credential), and the last pings' results. */
  monitor: { target: string | null; lastPing: PingRecord | null; lastFailure: PingRecord | null };
  /** Rollback copies in-place restores left (they hold the previous state, credentials included). */
  rollbackCopies: RollbackSummary;
  /** `future`: recorded times that lie in the future (the clock was wrong); they count as unknown. */
  statusRecord: { path: string; corrupt: boolean; reason: string | null; rebuilt: boolean; future: string[] };
}

/** A record rebuilt from the archives present: the newest one stands for the last successful run. */
function rebuildFromArchives(newest: (StoreStats['newest'] & { bytes?: number }) | undefined): StatusRecord {
  const record = emptyStatus();
  if (!newest) return record;
  const run = newLastRun({
    startedAt: newest.createdAt,
    finishedAt: newest.createdAt,
    trigger: 'manual',
    archive: newest.archive,
    bytes: newest.bytes ?? null,
  });
  return { ...record, lastRun: run, lastSuccess: run };
}

/** Everything `status` shows. A corrupt status record is reported and rebuilt from the archives. */
export async function collectStatus(paths: StatePaths, config: LoadedConfig, now = new Date(), store?: BackupStore): Promise<StatusReport> {
  const opened = store ?? (await openStore(paths, config));
  const stats = await opened.stats();
  const read = await readStatus(paths.stateDir);
  let record = read.record;
  let rebuilt = false;
  if (read.corrupt) {
    record = rebuildFromArchives(stats.newest ?? undefined);
    await writeStatus(paths.stateDir, record);
    rebuilt = true;
  }
  const owner = await readLockOwner(paths.stateDir, DAEMON_LOCK_NAME);
  const running = owner !== undefined && owner.hostname === os.hostname() && isProcessAlive(owner.pid);
  const spec = { auto: config.backup.auto, schedule: config.backup.schedule, timezone: config.backup.timezone };
  const lastSuccessAt = newestPast([record.lastSuccess?.finishedAt, stats.newest?.createdAt], now);
  return {
    stateDir: paths.stateDir,
    profile: paths.profile,
    stateId: (await readStateIdentity(paths.stateDir))?.stateId ?? null,
    config: { path: paths.configPath, exists: config.exists, location: config.location, keyPrefix: config.keyPrefix },
    auto: config.backup.auto,
    schedule: config.backup.schedule,
    timezone: config.backup.timezone ?? null,
    nextRunAt: nextFireTime(spec, now)?.toISOString() ?? null,
    lastRun: record.lastRun,
    lastSuccess: record.lastSuccess,
    lastError: record.lastRun && record.lastRun.result !== 'ok' ? (record.lastRun.error ?? record.lastRun.result) : null,
    overdue: { ...overdueSince(spec, lastSuccessAt, now), lastSuccessAt: lastSuccessAt?.toISOString() ?? null },
    archives: {
      kind: stats.kind,
      dir: stats.location,
      count: stats.count,
      bytes: stats.bytes,
      storedBytes: stats.storedBytes,
      newest: stats.newest?.archive ?? null,
      newestCreatedAt: stats.newest?.createdAt ?? null,
      suspect: (stats.suspect ?? []).map((b) => ({
        archive: b.archive,
        createdAt: b.createdAt,
        hostname: b.hostname ?? null,
        reason: b.suspect ?? 'suspect',
      })),
    },
    daemon: {
      running,
      pid: running ? (owner?.pid ?? null) : null,
      startedAt: running ? (record.daemon?.startedAt ?? owner?.since ?? null) : null,
    },
    monitor: {
      target: config.backup.monitor ? redactPingUrl(config.backup.monitor.url) : null,
      lastPing: record.monitor?.lastPing ?? null,
      lastFailure: record.monitor?.lastFailure ?? null,
    },
    rollbackCopies: summarizeRollbackCopies(await findRollbackCopies(paths, config.openclaw)),
    statusRecord: {
      path: statusPathFor(paths.stateDir),
      corrupt: read.corrupt,
      reason: read.corrupt ? read.reason : null,
      rebuilt,
      future: futureTimes(record, now),
    },
  };
}
