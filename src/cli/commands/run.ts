import type { Command } from 'commander';
import { runCycle } from '../../core/run-cycle.js';
import { formatBytes, formatDuration } from '../../core/format.js';
import { createJsonLogger, createTextLogger } from '../../output/logger.js';
import { loadContext, printJson, resolveLogLevel, type CommandIO, type GlobalOptions } from '../context.js';

export function registerRun(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  program
    .command('run')
    .description(
      'run one scheduled cycle now: backup, verify, prune (retention), postBackup, status record, then monitor ping, onFailure, metricsFile',
    )
    .option('--json', 'log JSON lines to stderr and print the run record as one JSON object')
    .action(async (flags: { json?: boolean }) => {
      const { paths, config } = await loadContext(globals(), io);
      const level = resolveLogLevel(globals(), io);
      const log = flags.json ? createJsonLogger(io.stderr, level) : createTextLogger(io.stderr, level);
      const { run, error } = await runCycle({ paths, config, trigger: 'run', log, signal: io.signal, env: io.env });
      if (flags.json) printJson(io, run);
      else if (run.archive && run.bytes !== null) {
        io.stdout.write(
          `${run.result === 'ok' ? 'Backed up' : 'Archive kept'}: ${run.archive} (${formatBytes(run.bytes)}, ${formatDuration(run.durationMs)}, ` +
            `gateway paused ${formatDuration(run.pauseMs ?? 0)})\n` +
            (run.pruned.length ? `Pruned ${run.pruned.length}: ${run.pruned.join(', ')}\n` : ''),
        );
      }
      if (error) throw error;
    });
}
