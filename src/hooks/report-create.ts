import type { LoadedConfig } from '../config/load.js';
import type { StatePaths } from '../config/paths.js';
import type { CreateResult } from '../core/backup/create.js';
import type { Log } from '../core/log.js';
import type { RunPhase } from '../core/status-record.js';
import { exitCodeFor, toBackupError } from '../errors.js';
import { startRunReport, type RunReportResult } from './report-run.js';
import type { RunOutcome } from './run-outcome.js';

export interface CreateReport {
  /** The step running now; set to "verify" before `--verify` reads the archive. */
  phase: RunPhase;
  succeeded(result: CreateResult): Promise<RunReportResult>;
  failed(error: unknown, result?: CreateResult): Promise<RunReportResult>;
}

/**
 * `create --monitor`: the same pings and onFailure as a scheduled run, for a create started by hand or by cron.
 * It writes neither the status record's last run nor the metrics file (those describe `run` and the daemon).
 */
export function startCreateReport(options: {
  paths: StatePaths;
  config: LoadedConfig;
  log: Log;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal | undefined;
}): CreateReport {
  const startedAt = new Date();
  const report = startRunReport({ ...options, writeMetrics: false });
  const outcome = (result: CreateResult | undefined, error?: unknown): RunOutcome => {
    const failure = error === undefined ? undefined : toBackupError(error);
    const finished = new Date();
    return {
      command: 'create',
      trigger: 'manual',
      profile: options.paths.profile,
      stateDir: options.paths.stateDir,
      startedAt: startedAt.toISOString(),
      finishedAt: finished.toISOString(),
      result: failure ? (failure.kind === 'interrupted' ? 'interrupted' : 'failed') : 'ok',
      phase: failure ? handle.phase : null,
      exitCode: failure ? exitCodeFor(failure.kind) : 0,
      error: failure?.message ?? null,
      archive: result?.archive ?? null,
      bytes: result ? result.bytes : null,
      files: result ? result.files : null,
      durationMs: finished.getTime() - startedAt.getTime(),
      pauseMs: result ? result.pauseMs : null,
      pruned: 0,
      warnings: result?.warnings ?? [],
    };
  };
  const handle: CreateReport = {
    phase: 'backup',
    succeeded: (result) => report.finish(outcome(result)),
    failed: (error, result) => report.finish(outcome(result, error)),
  };
  return handle;
}
