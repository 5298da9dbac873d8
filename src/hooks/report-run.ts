import { randomUUID } from 'node:crypto';
import type { LoadedConfig } from '../config/load.js';
import { expandHome, type StatePaths } from '../config/paths.js';
import { withoutPassphraseEnv } from '../core/crypto/hook-env.js';
import type { Log } from '../core/log.js';
import { countBackups } from '../core/metrics/backup-totals.js';
import { openStore } from '../core/store/open-store.js';
import type { BackupStore } from '../core/store/types.js';
import { writeMetricsFile } from '../core/metrics/write-metrics.js';
import { updateStatus, readStatus, type HookRecord, type PingRecord, type StatusRecord } from '../core/status-record.js';
import { sendPing } from './monitor.js';
import { runOnFailureHook } from './on-failure.js';
import type { RunOutcome } from './run-outcome.js';
import { formatRunSummary } from './run-summary.js';

export interface RunReportOptions {
  paths: StatePaths;
  config: LoadedConfig;
  log: Log;
  /** The environment onFailure inherits (the daemon's); the passphrase variable is taken out. */
  env?: NodeJS.ProcessEnv | undefined;
  signal?: AbortSignal | undefined;
  /** `run` and the daemon write the metrics file (it describes the status record's last run); create does not. */
  writeMetrics: boolean;
  /** Where the backups live (the run's store); opened from the config when absent. */
  store?: BackupStore | undefined;
  fetch?: typeof fetch;
  now?: () => Date;
}

export interface RunReportResult {
  ping: PingRecord | null;
  onFailure: HookRecord | null;
}

export interface RunReport {
  finish(outcome: RunOutcome): Promise<RunReportResult>;
}

function monitorRecord(record: StatusRecord, pings: (PingRecord | null)[]): StatusRecord['monitor'] {
  const sent = pings.filter((p): p is PingRecord => p !== null);
  const failed = sent.filter((p) => !p.ok);
  return { lastPing: sent.at(-1) ?? record.monitor?.lastPing ?? null, lastFailure: failed.at(-1) ?? record.monitor?.lastFailure ?? null };
}

/**
 * Starts reporting a run: sends `<url>/start` now (without waiting for it), and returns `finish`, which — once
 * the start ping has settled, so the monitor sees them in order — sends the success or fail ping with the run's
 * summary, runs onFailure after a failed run, records both in the status record and writes the metrics file.
 * Nothing here fails the run: every step logs its own failure.
 */
export function startRunReport(options: RunReportOptions): RunReport {
  const { config, paths, log } = options;
  const monitor = config.backup.monitor;
  const runId = randomUUID();
  const ping = (kind: PingRecord['kind'], body?: string, tries?: number) =>
    monitor
      ? sendPing({ url: monitor.url, kind, body, runId, timeoutMs: monitor.timeout, tries, log, fetch: options.fetch })
      : Promise.resolve(null);
  const started = monitor?.start ? ping('start') : Promise.resolve(null);

  return {
    async finish(outcome) {
      const startPing = await started;
      const command = config.backup.onFailure;
      const [endPing, onFailure] = await Promise.all([
        // An interrupted run (SIGTERM, Ctrl-C) says so once and does not hold up the shutdown with retries.
        ping(outcome.result === 'ok' ? 'success' : 'fail', formatRunSummary(outcome), outcome.result === 'interrupted' ? 1 : undefined),
        outcome.result === 'failed' && command
          ? runOnFailureHook({
              command,
              configPath: paths.configPath,
              outcome,
              timeoutMs: config.backup.hookTimeout,
              log,
              signal: options.signal,
              baseEnv: withoutPassphraseEnv(options.env ?? process.env, config.backup.encrypt),
            })
          : Promise.resolve(null),
      ]);
      let record: StatusRecord | undefined;
      if (monitor || onFailure) {
        record = await updateStatus(paths.stateDir, (current) => ({
          ...current,
          ...(monitor ? { monitor: monitorRecord(current, [startPing, endPing]) } : {}),
          ...(onFailure && current.lastRun?.startedAt === outcome.startedAt ? { lastRun: { ...current.lastRun, onFailure } } : {}),
        })).catch((error: unknown) => {
          log.error({ error: (error as Error).message }, 'could not record the monitor ping in the status record');
          return undefined;
        });
      }
      if (options.writeMetrics && config.backup.metricsFile) await writeMetrics(options, outcome, record);
      return { ping: endPing, onFailure };
    },
  };
}

async function writeMetrics(options: RunReportOptions, outcome: RunOutcome, record: StatusRecord | undefined): Promise<void> {
  const { config, paths, log } = options;
  const file = expandHome(config.backup.metricsFile as string, paths.home, paths.stateDir);
  try {
    const current = record ?? (await readStatus(paths.stateDir)).record;
    const totals = await countBackups(
      options.store ?? (await openStore(paths, config, { env: options.env, signal: options.signal })),
    ).catch(() => null);
    const lastSuccessAt = outcome.result === 'ok' ? outcome.finishedAt : (current.lastSuccess?.finishedAt ?? null);
    await writeMetricsFile(file, {
      profile: paths.profile,
      now: options.now?.() ?? new Date(),
      lastRun: {
        finishedAt: outcome.finishedAt,
        exitCode: outcome.exitCode,
        durationMs: outcome.durationMs,
        bytes: outcome.bytes,
        files: outcome.files,
        pauseMs: outcome.pauseMs,
      },
      lastSuccessAt,
      totals,
    });
    log.info({ metricsFile: file }, 'metrics written');
  } catch (error) {
    log.error({ metricsFile: file, error: (error as Error).message }, 'could not write the metrics file; the backup is not affected');
  }
}
