import type { Command } from 'commander';
import { runCycle } from '../../run/run-cycle.js';
import { formatBytes, formatDuration } from '../../core/format.js';
import { createJsonLogger, createTextLogger, LOG_LEVELS } from '../../output/logger.js';
import { UsageError } from '../../errors.js';
import { loadContext, printJson, resolveLogLevel, type CommandIO, type GlobalOptions } from '../context.js';

export function registerRun(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  program
    .command('run')
    .description(
      'run one scheduled cycle now: backup, verify, prune (retention), postBackup, status record, then monitor ping, onFailure, metricsFile',
    )
    .option('--json', 'log JSON lines to stderr and print the run record as one JSON object')
    .option('-q, --quiet', 'for cron: print nothing unless something is wrong (warnings and errors only, no summary)')
    .action(async (flags: { json?: boolean; quiet?: boolean }) => {
      if (flags.quiet && flags.json) throw new UsageError('--quiet and --json: pass one, not both');
      const { paths, config } = await loadContext(globals(), io);
      const asked = resolveLogLevel(globals(), io);
      // cron mails whatever a job prints: quiet keeps only what needs a person.
      const level = flags.quiet && LOG_LEVELS.indexOf(asked) < LOG_LEVELS.indexOf('warn') ? 'warn' : asked;
      const log = flags.json ? createJsonLogger(io.stderr, level) : createTextLogger(io.stderr, level);
      const { run, error } = await runCycle({ paths, config, trigger: 'run', log, signal: io.signal, env: io.env });
      if (flags.json) printJson(io, run);
      else if (run.archive && run.bytes !== null && !flags.quiet) {
        io.stdout.write(
          `${run.result === 'ok' ? 'Backed up' : 'Archive kept'}: ${run.archive} (${formatBytes(run.bytes)}, ${formatDuration(run.durationMs)}, ` +
            `gateway paused ${formatDuration(run.pauseMs ?? 0)})\n` +
            (run.pruned.length ? `Pruned ${run.pruned.length}: ${run.pruned.join(', ')}\n` : ''),
        );
      }
      if (error) throw error;
    });
}
