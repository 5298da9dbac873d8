import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { expandHome, type StatePaths } from '../config/paths.js';
import { checkConfigFileForHook, runPostBackupHook } from '../hooks/post-backup.js';
import { createBackup, type CreateResult } from '../core/backup/create.js';
import { damagedDatabaseError } from '../core/backup/backup-checks.js';
import { SEE_DOCTOR } from '../core/archive/missing-roots.js';
import { BackupError, exitCodeFor, toBackupError } from '../errors.js';
import type { GatewayService } from '../core/gateway/service.js';
import { withStateLock } from '../core/locks/lock.js';
import type { Log } from '../core/log.js';
import { pruneBackups } from '../core/retention/prune.js';
import { openStore } from '../core/store/open-store.js';
import type { BackupStore, StoredBackup } from '../core/store/types.js';
import { quiesceFor } from '../core/locks/quiesce.js';
import { sandboxHint } from '../core/sandbox-hint.js';
import { newLastRun, readStatus, updateStatus, type HookRecord, type LastRun, type RunPhase } from '../core/status-record.js';
import { startRunReport } from '../hooks/report-run.js';
import { verifyBackup } from '../core/store/verify-backup.js';
import { IDENTITY_ENV } from '../core/crypto/keys.js';
import { keyToVerify } from '../core/crypto/verify-key.js';
import { withoutPassphraseEnv, withoutSecretEnv } from '../core/crypto/hook-env.js';

export interface CycleOptions {
  paths: StatePaths;
  config: LoadedConfig;
  trigger: LastRun['trigger'];
  log: Log;
  signal?: AbortSignal | undefined;
  /** The environment hooks and service managers see (PATH, HOME …). */
  env?: NodeJS.ProcessEnv;
  service?: GatewayService | undefined;
  lockWaitMs?: number;
  now?: () => Date;
  /** Where backups go; default the store the config names (openStore). */
  store?: BackupStore | undefined;
  /**
   * Configuration warnings (those pointing to doctor) already logged: the daemon passes one set per loaded config,
   * so a config problem is a warning once, not at every tick (later ones go to debug).
   */
  seenWarnings?: Set<string> | undefined;
}

export interface CycleResult {
  run: LastRun;
  /** Set when the run failed or was interrupted; the CLI turns it into the exit code. */
  error?: BackupError;
}

async function runHook(options: CycleOptions, created: CreateResult): Promise<HookRecord | null> {
  const { config, paths, log } = options;
  const command = config.backup.postBackup;
  if (!command || !created.archive) return null;
  const refused = await checkConfigFileForHook(paths.configPath);
  if (refused) {
    log.error({ config: paths.configPath }, refused);
    return { exitCode: null, durationMs: 0, timedOut: false, error: refused };
  }
  log.info({ command }, 'running postBackup');
  const hook = await runPostBackupHook({
    command,
    timeoutMs: config.backup.hookTimeout,
    log,
    baseEnv: withoutSecretEnv(withoutPassphraseEnv(options.env ?? process.env, config.backup.encrypt), [
      config.backup.repository?.passwordEnv,
    ]),
    signal: options.signal,
    env: {
      archive: created.archive,
      dir: created.stored?.repository ?? path.dirname(created.archive),
      bytes: created.bytes,
      sha256: created.sha256 ?? '',
      stateDir: paths.stateDir,
      profile: paths.profile,
    },
  });
  const fields = { exitCode: hook.exitCode, durationMs: hook.durationMs, timedOut: hook.timedOut };
  if (hook.error) log.error(fields, `${hook.error}; the archive is kept`);
  else log.info(fields, 'postBackup finished');
  return hook;
}

function warnOnce(options: CycleOptions, message: string): void {
  const seen = options.seenWarnings;
  if (seen && message.endsWith(`(${SEE_DOCTOR})`)) {
    if (seen.has(message)) {
      options.log.debug({ repeated: true }, message);
      return;
    }
    seen.add(message);
  }
  options.log.warn({}, message);
}

/**
 * One scheduled cycle, as `run` and the daemon do it: lock → snapshot → archive → verify → prune → postBackup →
 * status record. Never prunes after a failed backup; a failed hook fails the run but keeps the archive.
 */
export async function runCycle(options: CycleOptions): Promise<CycleResult> {
  const { paths, config, log } = options;
  const startedAt = new Date();
  const command = `openclaw-backup ${options.trigger === 'run' ? 'run' : 'daemon'}`;
  const quiesce = quiesceFor({
    paths,
    config,
    command,
    log,
    signal: options.signal,
    lockWaitMs: options.lockWaitMs,
    env: options.env,
    service: options.service,
  });
  const run = newLastRun({ startedAt: startedAt.toISOString(), trigger: options.trigger });
  let failure: BackupError | undefined;
  // Which step runs now: a failure names it (the fail ping, onFailure and the status record report it).
  let phase: RunPhase = 'backup';
  const warnings: string[] = [];
  let files: number | null = null;
  const report = startRunReport({ paths, config, log, env: options.env, signal: options.signal, writeMetrics: true, store: options.store });
  log.info({ trigger: options.trigger, stateDir: paths.stateDir, backupDir: config.backupDir }, 'backup started');
  try {
    const store =
      options.store ??
      (await openStore(paths, config, {
        env: options.env,
        signal: options.signal,
        onNotice: (message) => log.warn({}, message),
        write: true,
      }));
    const created = await createBackup({
      paths,
      config,
      store,
      signal: options.signal,
      now: options.now,
      quiesce,
      log,
      env: options.env,
      command,
      lockWaitMs: options.lockWaitMs,
      onWarning: (message) => {
        warnings.push(message);
        warnOnce(options, message);
      },
    });
    files = created.files;
    Object.assign(run, { archive: created.archive, bytes: created.bytes, sha256: created.sha256, pauseMs: created.pauseMs });
    log.info(
      { archive: created.archive, bytes: created.bytes, pauseMs: run.pauseMs, files: created.files, databases: created.databases },
      'archive created',
    );
    phase = 'verify';
    const decrypt =
      created.encrypted && config.backup.encrypt
        ? await keyToVerify(config.backup.encrypt, {
            env: options.env ?? process.env,
            resolvePath: (f) => expandHome(f, paths.home, paths.stateDir),
            keyPath: `${config.keyPrefix}.encrypt`,
          })
        : undefined;
    if (created.encrypted && !decrypt)
      log.warn({ archive: created.archive }, `archive encrypted to recipients and no identity to read it ($${IDENTITY_ENV}): not verified`);
    else {
      const verifyStart = Date.now();
      // What a repository already held unchanged was verified when it was first stored: read back what is new.
      const fresh = created.fresh && new Set(created.fresh);
      const select = fresh && ((name: string) => fresh.has(name));
      const verified = await verifyBackup(store, created.stored as StoredBackup, {
        signal: options.signal,
        throwOnProblem: true,
        decrypt,
        select,
      });
      log.info({ archive: created.archive, files: verified.checked.files, partial: Boolean(select) }, 'archive verified');
      log.debug({ ms: Date.now() - verifyStart }, 'verify phase done');
    }
    const damaged = damagedDatabaseError(created);
    // Each run would hold the damaged copy: pruning could push the last good copy of that database out.
    if (damaged) log.warn({ archive: created.archive }, 'retention skipped: this backup holds a damaged database; older archives are kept');
    const pruneStart = Date.now();
    phase = 'prune';
    const onCompromised = (message: string) => log.error({}, message);
    const pruned = damaged
      ? { removed: [], kept: [] }
      : await withStateLock(paths.stateDir, { command, signal: options.signal, waitMs: options.lockWaitMs, onCompromised }, () =>
          (async () =>
            pruneBackups(store, {
              retention: config.backup.retention,
              timeZone: config.backup.timezone,
              protect: [created.archive as string],
              // Scheduled retention counts the schedule's backups only: one made by hand stays until `prune`.
              leave: (await readStatus(paths.stateDir)).record.handMade ?? [],
            }))(),
        );
    run.pruned = pruned.removed.map((entry) => entry.archive);
    if (!damaged) {
      log.info({ removed: run.pruned, kept: pruned.kept.length }, 'retention applied');
      log.debug(
        { ms: Date.now() - pruneStart, kept: pruned.kept.map((k) => ({ archive: k.archive, reasons: k.reasons })) },
        'prune phase done',
      );
    }
    phase = 'postBackup';
    run.hook = await runHook(options, created);
    if (damaged) {
      failure = damaged;
      phase = 'backup';
    } else if (run.hook?.error) failure = new BackupError('failure', `${run.hook.error}; archive kept: ${created.archive}`);
  } catch (error) {
    failure = toBackupError(error);
  }
  // A write refused by the service's sandbox names the sandbox, so the fix is found from the journal line.
  const hint = failure ? sandboxHint(options.env ?? process.env, failure.message) : '';
  if (failure && hint) failure = new BackupError(failure.kind, `${failure.message}${hint}`, { cause: failure, details: failure.details });
  const finished = new Date();
  run.finishedAt = finished.toISOString();
  run.durationMs = finished.getTime() - startedAt.getTime();
  if (failure) {
    run.result = failure.kind === 'interrupted' ? 'interrupted' : 'failed';
    run.error = failure.message;
    run.phase = phase;
  }
  await updateStatus(paths.stateDir, (record) => ({
    ...record,
    lastRun: run,
    lastSuccess: run.result === 'ok' ? run : record.lastSuccess,
  })).catch((error: unknown) => log.error({ error: (error as Error).message }, 'could not write the status record'));
  const fields = { result: run.result, archive: run.archive, durationMs: run.durationMs, pauseMs: run.pauseMs, error: run.error };
  if (failure) log.error(fields, run.result === 'interrupted' ? 'backup interrupted' : 'backup failed');
  else log.info(fields, 'backup finished');
  await report.finish({
    command: options.trigger === 'run' ? 'run' : 'daemon',
    trigger: options.trigger,
    profile: paths.profile,
    stateDir: paths.stateDir,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    result: run.result,
    phase: run.phase ?? null,
    exitCode: failure ? exitCodeFor(failure.kind) : 0,
    error: run.error,
    archive: run.archive,
    bytes: run.bytes,
    files,
    durationMs: run.durationMs,
    pauseMs: run.pauseMs,
    pruned: run.pruned.length,
    warnings,
  });
  return failure ? { run, error: failure } : { run };
}
