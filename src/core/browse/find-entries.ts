import { throwIfAborted } from '../../errors.js';
import { KEY_NEEDED, type DecryptionKey } from '../crypto/keys.js';
import type { BackupStore, ListOptions, StoredBackup } from '../store/types.js';
import type { IndexEntry } from './index-types.js';
import { entryMatcher } from './list-entries.js';
import { readBackupIndex } from './read-index.js';

export interface FoundIn {
  archive: string;
  createdAt: string;
  matches: IndexEntry[];
}

export interface FindResult {
  location: string;
  pattern: string;
  found: FoundIn[];
  /** Backups that could not be read (encrypted without a key, damaged), with why. */
  skipped: Array<{ archive: string; reason: string }>;
  /** How many of the skipped were encrypted archives that no key was given for. */
  encrypted: number;
}

export interface FindOptions {
  decrypt?: DecryptionKey | undefined;
  signal?: AbortSignal | undefined;
  /** Which backups (list options: --host/--state-id, a new machine's repository-wide view). */
  list?: ListOptions | undefined;
  /** Called as each backup is searched, for progress. */
  onBackup?: (backup: StoredBackup, index: number, total: number) => void;
}

/** Which backups, newest first, hold entries matching a glob: "which backup still has my deleted note?". */
export async function findInBackups(store: BackupStore, pattern: string, options: FindOptions = {}): Promise<FindResult> {
  const matches = entryMatcher(pattern);
  const listing = await store.list(options.list);
  const result: FindResult = { location: listing.location, pattern, found: [], skipped: [], encrypted: 0 };
  for (const [i, backup] of listing.archives.entries()) {
    throwIfAborted(options.signal);
    options.onBackup?.(backup, i, listing.archives.length);
    if (backup.encrypted && !options.decrypt) {
      result.skipped.push({ archive: backup.archive, reason: KEY_NEEDED });
      result.encrypted += 1;
      continue;
    }
    try {
      const index = await readBackupIndex(store.source(backup), { decrypt: options.decrypt, signal: options.signal });
      const hits = index.entries.filter(matches);
      if (hits.length > 0) result.found.push({ archive: backup.archive, createdAt: backup.createdAt, matches: hits });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      result.skipped.push({ archive: backup.archive, reason: (error as Error).message.replace(`${backup.archive}: `, '') });
    }
  }
  return result;
}
