import { throwIfAborted } from '../../errors.js';
import { KEY_NEEDED, type DecryptionKey } from '../crypto/keys.js';
import type { BackupStore, StoredBackup } from '../store/types.js';
import { agentsOfKeys } from './backup-entries.js';
import { listSessions } from './list-sessions.js';
import { withBackupSessions } from './read-backup.js';

export interface HistoryVersion {
  archive: string;
  createdAt: string;
  sessionId: string;
  events: number;
  /** The session's last update as that backup holds it. */
  updatedAt: string | null;
}

export interface SessionHistory {
  key: string;
  location: string;
  /** Backups in the store, and how many of them (the newest) were read. */
  total: number;
  read: number;
  /** The backups holding the session, newest first. */
  versions: HistoryVersion[];
  /** Backups read that do not hold it (before it existed, or after it was deleted). */
  absent: Array<{ archive: string; createdAt: string }>;
  /** Backups that could not be read (encrypted without a key, damaged), with why. */
  skipped: Array<{ archive: string; createdAt: string; reason: string }>;
  /** The keys the newest readable backup holds (of the key's agent), for a key no backup holds. */
  newestKeys: string[] | undefined;
}

export interface SessionHistoryOptions {
  store: BackupStore;
  key: string;
  /** Read at most this many backups, newest first. */
  limit: number;
  decrypt?: DecryptionKey | undefined;
  signal?: AbortSignal | undefined;
  /** Called as each backup is read, for progress. */
  onBackup?: ((backup: StoredBackup, index: number, total: number) => void) | undefined;
}

/**
 * Which backups hold a session, with its event count and last update in each, newest first: so a user can see when
 * it changed and pick the version to restore. Backups are read one at a time (only the agent's store, through the
 * checked reader, into a temp dir removed after each), at most `limit` of them; one that cannot be read is named
 * with why and the rest are still read.
 */
export async function sessionHistory(options: SessionHistoryOptions): Promise<SessionHistory> {
  const listing = await options.store.list();
  const chosen = listing.archives.slice(0, options.limit);
  const history: SessionHistory = {
    key: options.key,
    location: listing.location,
    total: listing.archives.length,
    read: chosen.length,
    versions: [],
    absent: [],
    skipped: [],
    newestKeys: undefined,
  };
  const agents = agentsOfKeys([options.key]);
  for (const [index, backup] of chosen.entries()) {
    throwIfAborted(options.signal);
    options.onBackup?.(backup, index, chosen.length);
    const { archive, createdAt } = backup;
    if (backup.encrypted && !options.decrypt) {
      history.skipped.push({ archive, createdAt, reason: KEY_NEEDED });
      continue;
    }
    try {
      const input = options.store.source(backup);
      const sessions = await withBackupSessions({ input, backup, decrypt: options.decrypt, agents, signal: options.signal }, (view) =>
        listSessions({ stateDir: view.stateDir, openclaw: view.openclaw }),
      );
      history.newestKeys ??= sessions.map((s) => s.key).sort();
      const found = sessions.find((s) => s.key === options.key);
      if (found)
        history.versions.push({ archive, createdAt, sessionId: found.sessionId, events: found.events, updatedAt: found.updatedAt });
      else history.absent.push({ archive, createdAt });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const label = options.store.source(backup).label;
      history.skipped.push({ archive, createdAt, reason: (error as Error).message.replace(`${label}: `, '') });
    }
  }
  return history;
}
