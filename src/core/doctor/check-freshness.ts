import { Cron } from 'croner';
import { isProcessAlive } from '../fs/atomic.js';
import { futureTimes, readStatus } from '../status-record.js';
import { verifyBackup } from '../verify/verify-backup.js';
import { ok, type DoctorCheck, type DoctorContext, type DoctorFinding } from './types.js';

const FOURTEEN_DAYS_MS = 14 * 86_400_000;

function days(ms: number): string {
  const d = ms / 86_400_000;
  return d >= 1 ? `${d.toFixed(1)} days` : `${(ms / 3_600_000).toFixed(1)} hours`;
}

/** Stale when two scheduled runs have passed since the last success (auto), or after 14 days (manual backups). */
function isStale(context: DoctorContext, last: Date): { stale: boolean; rule: string } {
  const { backup, now } = context;
  if (!backup.auto) return { stale: now.getTime() - last.getTime() > FOURTEEN_DAYS_MS, rule: '14 days' };
  const runs = new Cron(backup.schedule, { paused: true, ...(backup.timezone ? { timezone: backup.timezone } : {}) }).nextRuns(2, last);
  const second = runs[1];
  return { stale: second !== undefined && second.getTime() < now.getTime(), rule: `two runs of schedule "${backup.schedule}"` };
}

async function checkLastSuccess(context: DoctorContext): Promise<DoctorFinding> {
  const { record, corrupt } = await readStatus(context.paths.stateDir);
  const newest = (await context.store.list().catch(() => undefined))?.archives[0];
  // A time in the future (the clock was wrong when it was recorded) is unknown, not "0 hours ago".
  const slack = context.now.getTime() + 5 * 60_000;
  const times = [record.lastSuccess ? Date.parse(record.lastSuccess.finishedAt) : NaN, newest ? Date.parse(newest.createdAt) : NaN].filter(
    (t) => Number.isFinite(t) && t <= slack,
  );
  if (times.length === 0) {
    return {
      id: 'freshness',
      level: 'warn',
      message: `no successful backup recorded for ${context.paths.stateDir}${corrupt ? ' (status record unreadable)' : ''}`,
      fix: 'openclaw-backup create --verify',
    };
  }
  const last = new Date(Math.max(...times));
  const age = context.now.getTime() - last.getTime();
  const { stale, rule } = isStale(context, last);
  if (stale) {
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
