import type { BackupStore } from '../store/types.js';

export interface BackupTotals {
  /** "archives" in a backups dir, "snapshots" in a repository. */
  kind: 'archives' | 'snapshots';
  count: number;
  bytes: number;
  newestAt: Date | null;
}

/** How many backups the store holds for this state dir and profile, their total size and the newest one's time. */
export async function countBackups(store: BackupStore): Promise<BackupTotals> {
  const listing = await store.list();
  const newest = listing.archives[0];
  return {
    kind: store.noun,
    count: listing.archives.length,
    bytes: listing.archives.reduce((sum, backup) => sum + backup.bytes, 0),
    newestAt: newest ? new Date(newest.createdAt) : null,
  };
}
