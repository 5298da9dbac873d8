import { isProcessAlive } from '../fs/atomic.js';
import { newestPast, overdueSince } from '../status/freshness.js';
import { futureTimes, readStatus } from '../status-record.js';
import { verifyBackup } from '../store/verify-backup.js';
import { ok, type DoctorCheck, type DoctorContext, type DoctorFinding } from './types.js';

function days(ms: number): string {
  const d = ms / 86_400_000;
  return d >= 1 ? `${d.toFixed(1)} days` : `${(ms / 3_600_000).toFixed(1)} hours`;
}

async function checkLastSuccess(context: DoctorContext): Promise<DoctorFinding> {
  const { record, corrupt } = await readStatus(context.paths.stateDir);
  const newest = (await context.store.list().catch(() => undefined))?.archives[0];
  // A time in the future (the clock was wrong when it was recorded) is unknown, not "0 hours ago".
  const last = newestPast([record.lastSuccess?.finishedAt, newest?.createdAt], context.now);
  if (!last) {
    return {
      id: 'freshness',
      level: 'warn',
      message: `no successful backup recorded for ${context.paths.stateDir}${corrupt ? ' (status record unreadable)' : ''}`,
      fix: 'openclaw-backup create --verify',
    };
  }
  const age = context.now.getTime() - last.getTime();
  const { overdue, rule } = overdueSince(context.backup, last, context.now);
  if (overdue) {
    return {
      id: 'freshness',
      level: 'error',
      message: `last successful backup was ${days(age)} ago (${last.toISOString()}), older than ${rule}`,
      fix: 'openclaw-backup create --verify, then check the daemon: openclaw-backup service status',
    };
  }
  return ok('freshness', `last successful backup ${days(Math.max(age, 0))} ago (${last.toISOString()})`);
}

async function checkDaemon(context: DoctorContext): Promise<DoctorFinding> {
  const { record } = await readStatus(context.paths.stateDir);
  const alive = record.daemon ? isProcessAlive(record.daemon.pid) : false;
  if (alive) return ok('daemon', `daemon running (pid ${record.daemon?.pid})`);
  if (!context.backup.auto) return ok('daemon', 'auto is off: no daemon needed');
  const last = record.daemon ? ` (last seen as pid ${record.daemon.pid}, started ${record.daemon.startedAt})` : '';
  return {
    id: 'daemon',
    level: 'error',
    message: `auto is true but no daemon is running for ${context.paths.stateDir}${last}`,
    fix: 'openclaw-backup service install (or: openclaw-backup service status)',
  };
}

async function checkNewestArchive(context: DoctorContext): Promise<DoctorFinding | undefined> {
  const newest = (await context.store.list().catch(() => undefined))?.archives[0];
  if (!newest) return undefined;
  if (newest.encrypted) return ok('newest-archive', `newest archive ${newest.archive} is encrypted; not verified`);
  const result = await verifyBackup(context.store, newest, { signal: context.signal });
  if (result.ok) return ok('newest-archive', `newest archive ${newest.archive} verifies (${result.checked.files} files)`);
  const first = result.problems[0];
  return {
    id: 'newest-archive',
    level: 'error',
    message: `newest archive ${newest.archive} fails verify: ${first ? `${first.path}: ${first.reason}` : 'unknown problem'}${result.problems.length > 1 ? ` (+${result.problems.length - 1} more)` : ''}`,
    fix: `make a fresh one: openclaw-backup create --verify (and keep the bad one aside: openclaw-backup verify ${newest.archive})`,
  };
}

/** Times recorded while the clock was wrong stop catch-up and fake freshness: say so. */
async function checkFutureTimes(context: DoctorContext): Promise<DoctorFinding | undefined> {
  const { record } = await readStatus(context.paths.stateDir);
  const future = futureTimes(record, context.now);
  if (future.length === 0) return undefined;
  return {
    id: 'status-record',
    level: 'warn',
    message: `the status record's ${future.join(' and ')} ${future.length > 1 ? 'are' : 'is'} in the future (the clock was wrong when it was recorded); treated as unknown, so the daemon catches up`,
    fix: 'check the system clock (timedatectl status); the next backup rewrites the record: openclaw-backup run',
  };
}

/** A recent successful backup, a running daemon when auto is on, and a newest archive that verifies. */
export const checkFreshness: DoctorCheck = async (context) => {
  const findings = [
    await checkFutureTimes(context),
    await checkLastSuccess(context),
    await checkDaemon(context),
    await checkNewestArchive(context),
  ];
  return findings.filter((f): f is DoctorFinding => f !== undefined);
};
