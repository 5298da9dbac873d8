import { listArchives } from '../catalog.js';

export interface BackupTotals {
  /** "archives" in a backups dir (a repository would count snapshots). */
  kind: 'archives';
  count: number;
  bytes: number;
  newestAt: Date | null;
}

/** How many backups exist for this state dir and profile, their total size and the newest one's time. */
export async function countBackups(options: { dir: string; stateDir: string; profile: string }): Promise<BackupTotals> {
  const catalog = await listArchives(options);
  const newest = catalog.archives[0];
  return {
    kind: 'archives',
    count: catalog.archives.length,
    bytes: catalog.archives.reduce((sum, archive) => sum + archive.bytes, 0),
    newestAt: newest ? new Date(newest.createdAt) : null,
  };
}
