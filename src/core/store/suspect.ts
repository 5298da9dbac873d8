import { isInFuture } from '../status-record.js';
import type { StoredBackup } from './types.js';

/**
 * Sets aside backups dated in the future (beyond the 5 minutes of clock skew the status record tolerates too): one
 * such backup would be `latest` for ever, count as fresh and push real ones out through retention. They stay
 * visible, flagged, and can still be named by id.
 */
export function setAsideFuture(backups: StoredBackup[], now: Date): { archives: StoredBackup[]; suspect: StoredBackup[] } {
  const archives: StoredBackup[] = [];
  const suspect: StoredBackup[] = [];
  for (const backup of backups) {
    if (isInFuture(backup.createdAt, now)) suspect.push({ ...backup, suspect: `dated ${backup.createdAt}, in the future` });
    else archives.push(backup);
  }
  return { archives, suspect };
}
