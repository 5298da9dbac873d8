import type { Command } from 'commander';
import { collectStatus, type StatusReport } from '../../core/status-report.js';
import { formatBytes, formatDuration } from '../../core/format.js';
import { loadContext, printJson, type CommandIO, type GlobalOptions } from '../context.js';
import { openStore } from '../../core/store/open-store.js';
import { addRepositoryOptions, repositoryFlags, type RepositoryFlags } from '../repository-options.js';

function describeRun(report: StatusReport): string {
  const run = report.lastRun;
  if (!run) return 'never';
  const parts = [`${run.result} at ${run.startedAt} (${run.trigger})`];
  if (run.archive) parts.push(`archive ${run.archive}${run.bytes !== null ? ` (${formatBytes(run.bytes)})` : ''}`);
  parts.push(`took ${formatDuration(run.durationMs)}`);
  if (run.pauseMs !== null) parts.push(`gateway paused ${formatDuration(run.pauseMs)}`);
  if (run.hook) parts.push(`hook exit ${run.hook.exitCode ?? 'none'} in ${formatDuration(run.hook.durationMs)}${run.hook.timedOut ? ' (timed out)' : ''}`);
  if (run.error) parts.push(`error: ${run.error}`);
  return parts.join('\n               ');
}

function printText(io: CommandIO, r: StatusReport): void {
  if (r.statusRecord.corrupt) {
    io.stderr.write(`warning: status record ${r.statusRecord.path} was corrupt (${r.statusRecord.reason}); rebuilt from the archives present\n`);
  }
  io.stdout.write(
    [
      `state dir:     ${r.stateDir} (profile ${r.profile})`,
      `config:        ${r.config.path}${r.config.exists ? '' : ' (missing)'}, block at ${r.config.location === 'none' ? 'none (defaults)' : r.config.keyPrefix}`,
      `schedule:      ${r.auto ? `${r.schedule}${r.timezone ? ` (${r.timezone})` : ''}, next ${r.nextRunAt}` : 'auto is false (no scheduled backups)'}`,
      `daemon:        ${r.daemon.running ? `running, pid ${r.daemon.pid}` : 'not running'}`,
      `archives:      ${r.archives.count} (${formatBytes(r.archives.bytes)}${r.archives.storedBytes !== null ? `, ${formatBytes(r.archives.storedBytes)} stored` : ''}) in ${r.archives.dir}`,
      `newest:        ${r.archives.newest ? `${r.archives.newest} at ${r.archives.newestAt}` : 'none'}`,
      `last run:      ${describeRun(r)}`,
      `last success:  ${r.lastSuccess ? r.lastSuccess.startedAt : 'never'}`,
    ].join('\n') + '\n',
  );
}

export function registerStatus(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('status')
    .description('show the last run, the next scheduled time, the archives, whether a daemon runs, and the config in use')
    .option('--json', 'print one JSON object');
  addRepositoryOptions(command)
    .action(async (flags: RepositoryFlags & { json?: boolean }) => {
      const { paths, config } = await loadContext(globals(), io);
      const store = await openStore(paths, config, { repository: repositoryFlags(flags), env: io.env });
      const report = await collectStatus(paths, config, new Date(), store);
      if (flags.json) printJson(io, report);
      else printText(io, report);
    });
}
