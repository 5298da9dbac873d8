import type { StatePaths } from '../../config/paths.js';
import { BackupError } from '../../errors.js';
import type { FlaggedFile } from '../archive/store-file.js';

/**
 * A backup that holds no file at all (no config, nothing else) is a failure, never "ok": it is what an empty or
 * half-moved state looks like (a restore's swap in progress, a wrong --state-dir), and recording it as a success
 * would let retention push the last real backups out.
 */
export function assertSomethingArchived(counted: { files: number }, paths: StatePaths): void {
  if (counted.files > 0) return;
  throw new BackupError(
    'failure',
    `nothing to back up: ${paths.stateDir} holds no config and no files in the selected components; no archive was written`,
  );
}

/**
 * The error a backup with damaged databases ends in (exit 1), after its archive was written: it names each one.
 * Files that are merely named like databases (not-a-database) are warnings only.
 */
export function damagedDatabaseError(result: { flagged: FlaggedFile[]; archive: string | null }): BackupError | undefined {
  const damaged = result.flagged.filter((file) => file.kind === 'corrupt-database');
  if (damaged.length === 0) return undefined;
  const names = damaged.map((file) => `${file.path} (${file.reason})`).join(', ');
  return new BackupError(
    'failure',
    `damaged database${damaged.length > 1 ? 's' : ''} ${names}: stored as a raw copy in ${result.archive ?? 'the archive'}; everything else is backed up`,
    { details: { flagged: result.flagged } },
  );
}
