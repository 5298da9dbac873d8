import { loadConfig, type LoadedConfig } from '../../config/load.js';
import { expandHome, type StatePaths } from '../../config/paths.js';
import { backupBlockSchema } from '../../config/schema.js';
import { isBackupError } from '../../errors.js';
import { checkBackupBlock, checkOpenClawValidate } from './check-backup-block.js';
import { checkConfigPaths } from './check-config-paths.js';
import { checkDiskSpace } from './check-disk-space.js';
import { checkFreshness } from './check-freshness.js';
import { checkOutsideLinks } from './check-outside-links.js';
import { checkPermissions } from './check-permissions.js';
import { checkPostBackup } from './check-post-backup.js';
import { checkStaleLocks } from './check-stale-locks.js';
import { checkStateLocation } from './check-state-location.js';
import type { DoctorCheck, DoctorContext, DoctorFinding } from './types.js';

/** In output order. Fixing checks run before the ones that read what they fix. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  checkStateLocation,
  checkBackupBlock,
  checkOpenClawValidate,
  checkConfigPaths,
  checkPermissions,
  checkOutsideLinks,
  checkPostBackup,
  checkStaleLocks,
  checkFreshness,
  checkDiskSpace,
];

export type DoctorInput = Omit<DoctorContext, 'config' | 'configError' | 'backup' | 'backupDir'>;

/** Loads the config without failing: doctor reports a bad config as a finding and checks the rest with defaults. */
export async function loadDoctorConfig(paths: StatePaths): Promise<Pick<DoctorContext, 'config' | 'configError' | 'backup' | 'backupDir'>> {
  try {
    const config: LoadedConfig = await loadConfig(paths, { allowMissing: true });
    return { config, configError: undefined, backup: config.backup, backupDir: config.backupDir };
  } catch (error) {
    if (!isBackupError(error)) throw error;
    const backup = backupBlockSchema.parse({});
    return { config: undefined, configError: error.message, backup, backupDir: expandHome('backups', paths.home, paths.stateDir) };
  }
}

export interface DoctorReport {
  ok: boolean;
  findings: DoctorFinding[];
  counts: { ok: number; warn: number; error: number };
}

/** Runs every check; a check that throws becomes an error line instead of hiding the others. */
export async function runDoctor(input: DoctorInput, checks: readonly DoctorCheck[] = DOCTOR_CHECKS): Promise<DoctorReport> {
  const context: DoctorContext = { ...input, ...(await loadDoctorConfig(input.paths)) };
  const findings: DoctorFinding[] = [];
  for (const check of checks) {
    try {
      findings.push(...(await check(context)));
    } catch (error) {
      if (isBackupError(error) && error.kind === 'interrupted') throw error;
      findings.push({ id: check.name.replace(/^check/, '').toLowerCase() || 'check', level: 'error', message: `check failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  const counts = { ok: 0, warn: 0, error: 0 };
  for (const finding of findings) counts[finding.level] += 1;
  return { ok: counts.error === 0, findings, counts };
}
