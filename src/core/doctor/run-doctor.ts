/*
 * The doctor module: each check-*.ts inspects one part of the setup and returns findings with a fix; run-doctor
 * runs them in order. Checks read, they never change anything.
 */
import { loadConfig, missingStateDirError, type LoadedConfig } from '../../config/load.js';
import { expandHome, type StatePaths } from '../../config/paths.js';
import { backupBlockSchema } from '../../config/schema.js';
import { isBackupError } from '../../errors.js';
import { checkBackupBlock, checkOpenClawValidate } from './check-backup-block.js';
import { checkConfigPaths } from './check-config-paths.js';
import { checkDiskSpace } from './check-disk-space.js';
import { checkFreshness } from './check-freshness.js';
import { checkMonitor } from './check-monitor.js';
import { checkOutsideLinks } from './check-outside-links.js';
import { checkTimer } from './check-timer.js';
import { checkPermissions } from './check-permissions.js';
import { checkPlugin } from './check-plugin.js';
import { checkPostBackup } from './check-post-backup.js';
import { checkStaleLocks } from './check-stale-locks.js';
import { checkRollbackCopies } from './check-rollback-copies.js';
import { checkStateLocation } from './check-state-location.js';
import { checkStore } from './check-store.js';
import { checkSuspectBackups } from './check-suspect.js';
import { folderStore } from '../store/folder-store.js';
import { openStore } from '../store/open-store.js';
import type { DoctorCheck, DoctorContext, DoctorFinding } from './types.js';
import { isDirectory } from '../fs/exists.js';

/** In output order. Fixing checks run before the ones that read what they fix. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  checkStateLocation,
  checkBackupBlock,
  checkOpenClawValidate,
  checkPlugin,
  checkConfigPaths,
  checkPermissions,
  checkOutsideLinks,
  checkPostBackup,
  checkStaleLocks,
  checkRollbackCopies,
  checkStore,
  checkFreshness,
  checkSuspectBackups,
  checkMonitor,
  checkTimer,
  checkDiskSpace,
];

export type DoctorInput = Omit<DoctorContext, 'config' | 'configError' | 'backup' | 'backupDir' | 'store'>;

/** Loads the config without failing: doctor reports a bad config as a finding and checks the rest with defaults. */
export async function loadDoctorConfig(
  paths: StatePaths,
  env: NodeJS.ProcessEnv = process.env,
  signal?: AbortSignal,
): Promise<Pick<DoctorContext, 'config' | 'configError' | 'backup' | 'backupDir' | 'store'>> {
  try {
    const config: LoadedConfig = await loadConfig(paths, { allowMissing: true });
    return {
      config,
      configError: undefined,
      backup: config.backup,
      backupDir: config.backupDir,
      store: await openStore(paths, config, { env, signal }),
    };
  } catch (error) {
    if (!isBackupError(error)) throw error;
    const backup = backupBlockSchema.parse({});
    const backupDir = expandHome('backups', paths.home, paths.stateDir);
    return {
      config: undefined,
      configError: error.message,
      backup,
      backupDir,
      store: folderStore({ dir: backupDir, stateDir: paths.stateDir, profile: paths.profile }),
    };
  }
}

export interface DoctorReport {
  ok: boolean;
  findings: DoctorFinding[];
  counts: { ok: number; warn: number; error: number };
}

/** Runs every check; a check that throws becomes an error line instead of hiding the others. */
export async function runDoctor(input: DoctorInput, checks: readonly DoctorCheck[] = DOCTOR_CHECKS): Promise<DoctorReport> {
  const context: DoctorContext = { ...input, ...(await loadDoctorConfig(input.paths, input.env, input.signal)) };
  const findings: DoctorFinding[] = [];
  // Without a state dir every other check would pass vacuously ("modes are tight"); only the service check, which
  // may show where the state really is, still says something.
  const stateExists = await isDirectory(input.paths.stateDir);
  if (!stateExists) {
    findings.push({
      id: 'state-dir',
      level: 'error',
      message: missingStateDirError(input.paths.stateDir).message,
      fix: 'openclaw-backup --state-dir <dir> doctor (or --profile NAME), or restore an archive there',
    });
    checks = checks.filter((check) => check === checkStateLocation);
  }
  for (const check of checks) {
    try {
      findings.push(...(await check(context)));
    } catch (error) {
      if (isBackupError(error) && error.kind === 'interrupted') throw error;
      findings.push({
        id: check.name.replace(/^check/, '').toLowerCase() || 'check',
        level: 'error',
        message: `check failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  const counts = { ok: 0, warn: 0, error: 0 };
  for (const finding of findings) counts[finding.level] += 1;
  return { ok: counts.error === 0, findings, counts };
}
