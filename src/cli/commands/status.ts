import type { Command } from 'commander';
import { collectStatus, type StatusReport } from '../../core/status/status-report.js';
import path from 'node:path';
import { countOf, escapeControl, formatBytes, formatDuration, formatLocalTime } from '../../core/format.js';
import { loadContext, printJson, type CommandIO, storeIO, type GlobalOptions } from '../context.js';
import { openStore } from '../../core/store/open-store.js';
import { addRepositoryOptions, repositoryFlags, type RepositoryFlags } from '../repository-options.js';

/** Every time status shows, in one format: local time, then how long ago (or until) — as `list` shows times. */
function when(iso: string | null | undefined, now: Date): string {
  if (!iso) return 'never';
  const delta = Date.parse(iso) - now.getTime();
  if (Number.isNaN(delta)) return iso;
  return `${formatLocalTime(iso)} (${delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`})`;
}

/** The newest archive, for when no run was recorded: `create` makes backups too, and doctor counts them. */
function newestArchive(report: StatusReport, now: Date): string | undefined {
  const { newest, newestCreatedAt } = report.archives;
  if (!newest || !newestCreatedAt) return undefined;
  return `${when(newestCreatedAt, now)}, archive ${path.basename(newest)}`;
}

function describeRollbacks(report: StatusReport, now: Date): string {
  const r = report.rollbackCopies;
  if (r.count === 0) return 'none';
  return `${countOf(r.count, 'copy', 'copies')} (${formatBytes(r.bytes)}), oldest ${when(r.oldest, now)}; they hold the previous state, credentials included: openclaw-backup rollbacks remove --dry-run`;
}

function describeRun(report: StatusReport, now: Date): string {
  const run = report.lastRun;
  if (!run) return report.archives.newest ? 'none recorded by run or the daemon (create records none)' : 'never';
  const future = report.statusRecord.future.some((time) => time.startsWith('last run')) ? ', in the future: treated as unknown' : '';
  const parts = [`${run.result} at ${when(run.startedAt, now)}, ${run.trigger}${future}`];
  if (run.archive) parts.push(`archive ${run.archive}${run.bytes !== null ? ` (${formatBytes(run.bytes)})` : ''}`);
  parts.push(`took ${formatDuration(run.durationMs)}`);
  if (run.pauseMs !== null) parts.push(`gateway paused ${formatDuration(run.pauseMs)}`);
  if (run.hook)
    parts.push(
      `hook exit ${run.hook.exitCode ?? 'none'} in ${formatDuration(run.hook.durationMs)}${run.hook.timedOut ? ' (timed out)' : ''}`,
    );
  if (run.error) parts.push(`error${run.phase ? ` in ${run.phase}` : ''}: ${run.error}`);
  if (run.onFailure) parts.push(`onFailure ${run.onFailure.error ?? `exit ${run.onFailure.exitCode}`}`);
  return parts.join('\n               ');
}

function describeMonitor(report: StatusReport, now: Date): string {
  const { target, lastPing, lastFailure } = report.monitor;
  if (!target) return 'none';
  const describe = (ping: NonNullable<typeof lastPing>) =>
    `${ping.kind} ${ping.ok ? 'ok' : `failed (${ping.error})`} at ${when(ping.at, now)}${ping.status !== null ? `, HTTP ${ping.status}` : ''}`;
  const parts = [`${target}, last ping: ${lastPing ? describe(lastPing) : 'none yet'}`];
  if (lastFailure && lastFailure !== lastPing && lastFailure.at !== lastPing?.at) parts.push(`last failed ping: ${describe(lastFailure)}`);
  return parts.join('\n               ');
}

/** The newer of the last successful run and the newest archive, as doctor's freshness check counts them. */
function describeSuccess(r: StatusReport, now: Date): string {
  const run = r.lastSuccess;
  const { newest, newestCreatedAt } = r.archives;
  const archiveIsNewer =
    newest && newestCreatedAt && newest !== run?.archive && (!run || Date.parse(newestCreatedAt) > Date.parse(run.startedAt));
  if (archiveIsNewer) return newestArchive(r, now) ?? 'never';
  return run ? when(run.startedAt, now) : 'never';
}

function printText(io: CommandIO, r: StatusReport, now = new Date()): void {
  if (r.statusRecord.corrupt) {
    io.stderr.write(
      `warning: status record ${r.statusRecord.path} was corrupt (${r.statusRecord.reason}); rebuilt from the archives present\n`,
    );
  }
  for (const time of r.statusRecord.future) {
    io.stderr.write(
      `warning: the ${time} in ${r.statusRecord.path} is in the future (the clock was wrong when it was recorded); treated as unknown, so the daemon catches up\n`,
    );
  }
  for (const suspect of r.archives.suspect) {
    io.stderr.write(
      `warning: ${escapeControl(`${suspect.archive}${suspect.hostname ? ` (host ${suspect.hostname})` : ''} is ${suspect.reason}`)}: not counted as newest, fresh or by retention; check where it came from\n`,
    );
  }
  io.stdout.write(
    [
      `state dir:     ${r.stateDir} (profile ${r.profile})`,
      `state id:      ${r.stateId ?? 'none yet (the first backup makes one)'}`,
      `config:        ${r.config.path}${r.config.exists ? '' : ' (missing)'}, ${r.config.location === 'none' ? 'no backup block: defaults in effect' : `backup block at ${r.config.keyPrefix}`}`,
      `auto:          ${r.auto ? 'true (the daemon backs up on schedule)' : 'false (no scheduled backups by the daemon)'}`,
      `schedule:      ${r.schedule}${r.timezone ? ` (${r.timezone})` : ''}${r.auto && r.nextRunAt ? `, next ${when(r.nextRunAt, now)}` : ''}`,
      `daemon:        ${r.daemon.running ? `running, pid ${r.daemon.pid}` : 'not running'}`,
      `archives:      ${r.archives.count} (${formatBytes(r.archives.bytes)}${r.archives.storedBytes !== null ? `, ${formatBytes(r.archives.storedBytes)} stored` : ''}) in ${r.archives.dir}`,
      `newest:        ${r.archives.newest ? `${path.basename(r.archives.newest)}, ${when(r.archives.newestCreatedAt, now)}` : 'none'}${r.archives.suspect.length ? ` (${r.archives.suspect.length} dated in the future, not counted)` : ''}`,
      `last run:      ${describeRun(r, now)}`,
      `last success:  ${describeSuccess(r, now)}${r.overdue.overdue ? ` (overdue: ${r.overdue.lastSuccessAt ? `older than ${r.overdue.rule}` : 'none yet'})` : ''}`,
      `monitor:       ${describeMonitor(r, now)}`,
      `rollback:      ${describeRollbacks(r, now)}`,
    ].join('\n') + '\n',
  );
}

export function registerStatus(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('status')
    .description('show the last run, the next scheduled time, the archives, whether a daemon runs, and the config in use')
    .option('--json', 'print one JSON object');
  addRepositoryOptions(command).action(async (flags: RepositoryFlags & { json?: boolean }) => {
    const { paths, config } = await loadContext(globals(), io);
    const store = await openStore(paths, config, { repository: repositoryFlags(flags), ...storeIO(io) });
    const report = await collectStatus(paths, config, new Date(), store);
    if (flags.json) printJson(io, report);
    else printText(io, report);
  });
}
