import type { Command } from 'commander';
import { collectStatus, type StatusReport } from '../../core/status-report.js';
import path from 'node:path';
import { formatBytes, formatDuration, formatLocalTime } from '../../core/format.js';
import { loadContext, printJson, type CommandIO, storeIO, type GlobalOptions } from '../context.js';
import { openStore } from '../../core/store/open-store.js';
import { addRepositoryOptions, repositoryFlags, type RepositoryFlags } from '../repository-options.js';

/** The newest archive, for when no run was recorded: `create` makes backups too, and doctor counts them. */
function newestArchive(report: StatusReport, now: Date): string | undefined {
  const { newest, newestCreatedAt } = report.archives;
  if (!newest || !newestCreatedAt) return undefined;
  const ago = now.getTime() - Date.parse(newestCreatedAt);
  return `${formatLocalTime(newestCreatedAt)}${ago >= 0 ? ` (${formatDuration(ago)} ago)` : ''}, archive ${path.basename(newest)}`;
}

function describeRun(report: StatusReport): string {
  const run = report.lastRun;
  if (!run) return report.archives.newest ? 'none recorded by run or the daemon (create records none)' : 'never';
  const future = report.statusRecord.future.some((time) => time.startsWith('last run')) ? ', in the future: treated as unknown' : '';
  const parts = [`${run.result} at ${run.startedAt} (${run.trigger}${future})`];
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

function describeMonitor(report: StatusReport): string {
  const { target, lastPing, lastFailure } = report.monitor;
  if (!target) return 'none';
  const describe = (ping: NonNullable<typeof lastPing>) =>
    `${ping.kind} ${ping.ok ? 'ok' : `failed (${ping.error})`} at ${ping.at}${ping.status !== null ? `, HTTP ${ping.status}` : ''}`;
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
  return run ? run.startedAt : 'never';
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
  io.stdout.write(
    [
      `state dir:     ${r.stateDir} (profile ${r.profile})`,
      `config:        ${r.config.path}${r.config.exists ? '' : ' (missing)'}, ${r.config.location === 'none' ? 'no backup block: defaults in effect' : `backup block at ${r.config.keyPrefix}`}`,
      `schedule:      ${r.auto ? `${r.schedule}${r.timezone ? ` (${r.timezone})` : ''}, next ${r.nextRunAt}` : 'auto is false (no scheduled backups)'}`,
      `daemon:        ${r.daemon.running ? `running, pid ${r.daemon.pid}` : 'not running'}`,
      `archives:      ${r.archives.count} (${formatBytes(r.archives.bytes)}${r.archives.storedBytes !== null ? `, ${formatBytes(r.archives.storedBytes)} stored` : ''}) in ${r.archives.dir}`,
      `newest:        ${r.archives.newest ? `${r.archives.newest} at ${r.archives.newestCreatedAt}` : 'none'}`,
      `last run:      ${describeRun(r)}`,
      `last success:  ${describeSuccess(r, now)}${r.overdue.overdue ? ` (overdue: ${r.overdue.lastSuccessAt ? `older than ${r.overdue.rule}` : 'none yet'})` : ''}`,
      `monitor:       ${describeMonitor(r)}`,
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
