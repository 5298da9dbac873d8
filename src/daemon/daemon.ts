import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { StatePaths } from '../config/paths.js';
import { openStore } from '../core/store/open-store.js';
import { BackupError, isBackupError } from '../errors.js';
import type { GatewayService } from '../core/gateway/service.js';
import { acquireStateLock, DAEMON_LOCK_NAME, type StateLock } from '../core/locks/lock.js';
import type { Log } from '../core/log.js';
import { runCycle } from '../run/run-cycle.js';
import { lastRunForCatchUp, readStatus, updateStatus, type LastRun } from '../core/status-record.js';
import { findMissedRun, slotCoveredBy, type ScheduleSpec } from '../core/schedule.js';
import { createScheduler, watchClockJumps } from './scheduler.js';
import { onReloadSignal } from './signals.js';
import { watchConfigFile } from './watch.js';

export interface DaemonOptions {
  paths: StatePaths;
  log: Log;
  /** Fires on SIGTERM/SIGINT: the running backup is aborted and the daemon returns. */
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
  service?: GatewayService | undefined;
}

async function takeDaemonLock(stateDir: string, log: Log): Promise<StateLock> {
  try {
    const onCompromised = (message: string) =>
      log.error({ lock: DAEMON_LOCK_NAME }, `${message}; a second daemon may start on this state dir`);
    return await acquireStateLock(stateDir, { command: 'openclaw-backup daemon', waitMs: 0, name: DAEMON_LOCK_NAME, onCompromised });
  } catch (error) {
    if (isBackupError(error) && error.kind === 'busy') {
      throw new BackupError(
        'already-running',
        `another daemon already serves ${stateDir}: ${error.message.replace(/^state dir \S+ is locked by /, '')}`,
        { cause: error },
      );
    }
    throw error;
  }
}

function specOf(config: LoadedConfig): ScheduleSpec {
  return { auto: config.backup.auto, schedule: config.backup.schedule, timezone: config.backup.timezone };
}

/** When the last run started: the status record, else the newest archive; a time in the future is unknown. */
async function lastRunTime(paths: StatePaths, config: LoadedConfig, log: Log, signal: AbortSignal): Promise<Date | null> {
  const { record } = await readStatus(paths.stateDir);
  const newestArchive = async () => {
    const catalog = await openStore(paths, config, { signal })
      .then((store) => store.list())
      .catch(() => undefined);
    const newest = catalog?.archives[0];
    return newest ? new Date(newest.createdAt) : null;
  };
  const last = await lastRunForCatchUp(record, newestArchive, new Date());
  if (last.future)
    log.warn(
      { recorded: last.future },
      `the ${last.future} is in the future (the clock was wrong when it was recorded); treating the last run as unknown`,
    );
  return last.at;
}

/**
 * The foreground daemon: backs up on schedule, reloads its config on change or SIGHUP (keeping the last good one
 * when the new one is invalid), catches up one missed run, and on abort stops the running backup and returns.
 */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const { paths, log, signal } = options;
  const daemonLock = await takeDaemonLock(paths.stateDir, log);
  const cleanups: (() => unknown)[] = [];
  try {
    let config = await loadConfig(paths);
    let running: Promise<unknown> | undefined;
    // Configuration warnings are logged once per loaded config, not at every tick.
    let seenWarnings = new Set<string>();
    let idleSaid = false;

    const recordNext = () =>
      updateStatus(paths.stateDir, (record) => ({ ...record, nextRunAt: scheduler.nextRun()?.toISOString() ?? null })).catch(() => {});
    let lastStartedAt: Date | undefined;
    const trigger = (kind: LastRun['trigger']) => {
      if (signal.aborted) return;
      if (running) {
        log.warn({ trigger: kind }, 'previous backup still running; this slot is skipped');
        return;
      }
      const now = new Date();
      if (kind === 'schedule' && slotCoveredBy(config.backup, lastStartedAt, now)) {
        log.info({ startedAt: lastStartedAt?.toISOString() }, 'a backup started moments before this slot; this slot is covered by it');
        return;
      }
      lastStartedAt = now;
      log.debug({ trigger: kind, quiesce: config.backup.quiesce, retention: config.backup.retention }, 'starting a backup cycle');
      running = runCycle({ paths, config, trigger: kind, log, signal, env: options.env, service: options.service, seenWarnings })
        .catch((error: unknown) => log.error({ error: (error as Error).message }, 'backup cycle crashed'))
        .finally(() => {
          running = undefined;
          return recordNext();
        });
    };
    const scheduler = createScheduler(() => trigger('schedule'));
    const sayIdle = () => {
      if (config.backup.auto) idleSaid = false;
      else if (!idleSaid) {
        log.info(
          { config: paths.configPath, key: `${config.keyPrefix}.auto` },
          'auto is false: no scheduled backups; watching the config for changes',
        );
        idleSaid = true;
      }
    };
    const catchUp = async (): Promise<boolean> => {
      const last = await lastRunTime(paths, config, log, signal);
      const missed = findMissedRun(specOf(config), last);
      if (!missed) {
        log.debug(
          { lastRun: last?.toISOString() ?? null, auto: config.backup.auto, next: scheduler.nextRun()?.toISOString() ?? null },
          'no scheduled run was missed',
        );
        return false;
      }
      log.info({ missed: missed.toISOString() }, 'a scheduled run was missed; catching up once');
      trigger('catch-up');
      return true;
    };
    const reload = async (why: string) => {
      let next: LoadedConfig;
      try {
        next = await loadConfig(paths);
      } catch (error) {
        const issues = (isBackupError(error) && (error.details?.issues as string[] | undefined)) || [(error as Error).message];
        log.error({ config: paths.configPath, issues }, `config change ignored, keeping the last good config: ${issues.join('; ')}`);
        return;
      }
      if (signal.aborted) return;
      config = next;
      seenWarnings = new Set();
      const rescheduled = scheduler.apply(specOf(config));
      log.info(
        {
          why,
          auto: config.backup.auto,
          schedule: config.backup.schedule,
          retention: config.backup.retention,
          backupDir: config.backupDir,
          next: scheduler.nextRun()?.toISOString() ?? null,
          rescheduled,
        },
        'config reloaded',
      );
      sayIdle();
      await recordNext();
    };

    scheduler.apply(specOf(config));
    cleanups.push(() => scheduler.stop());
    await updateStatus(paths.stateDir, (record) => ({
      ...record,
      daemon: { pid: process.pid, startedAt: new Date().toISOString() },
      nextRunAt: scheduler.nextRun()?.toISOString() ?? null,
    }));
    cleanups.push(() => updateStatus(paths.stateDir, (record) => ({ ...record, daemon: null, nextRunAt: null })).catch(() => {}));
    log.info(
      {
        stateDir: paths.stateDir,
        config: paths.configPath,
        location: config.location,
        auto: config.backup.auto,
        schedule: config.backup.schedule,
        timezone: config.backup.timezone ?? null,
        next: scheduler.nextRun()?.toISOString() ?? null,
      },
      'daemon started',
    );
    sayIdle();

    const watcher = await watchConfigFile(paths.configPath, () => void reload('config file changed'));
    cleanups.push(() => watcher.close());
    cleanups.push(onReloadSignal(() => void reload('SIGHUP')));
    cleanups.push(
      watchClockJumps((frozenMs) => {
        log.info({ frozenMs }, 'clock jumped (the machine slept)');
        void catchUp();
      }),
    );
    log.info({ catchUp: await catchUp() }, 'daemon ready');

    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    log.info({ running: running !== undefined }, 'stopping');
    await running;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await daemonLock.release();
    log.info({ pid: process.pid }, 'daemon stopped');
  }
}
