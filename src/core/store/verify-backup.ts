import type { BackupStore, StoredBackup } from './types.js';
import { integrityErrorFor, verifyArchive, type VerifyOptions, type VerifyResult } from '../reader/verify-archive.js';

/**
 * Verifies one backup in a store: first the store's own check of the stored data (a repository's packs), then our
 * full verify of the archive it holds (hashes, manifest, databases).
 */
export async function verifyBackup(store: BackupStore, backup: StoredBackup, options: VerifyOptions = {}): Promise<VerifyResult> {
  const stored = await store.checkStored(backup, options.signal);
  if (stored.length > 0) {
    const result: VerifyResult = {
      ok: false,
      archive: backup.archive,
      format: null,
      compression: null,
      encrypted: backup.encrypted,
      hashesChecked: false,
      header: undefined,
      manifest: undefined,
      problems: stored,
      checked: { entries: 0, files: 0, bytes: 0, databases: 0 },
    };
    if (options.throwOnProblem) throw integrityErrorFor(result);
    return result;
  }
  return verifyArchive(store.source(backup), options);
}
