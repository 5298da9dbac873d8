import type { RetentionPolicy } from '../../config/schema.js';
import { newestBackupFirst } from '../store/catalog.js';
import { planRetention } from './retention.js';
import type { BackupStore, StoredBackup } from '../store/types.js';

export interface PruneOptions {
  retention: number | RetentionPolicy;
  timeZone?: string | undefined;
  /** Backups never removed whatever the policy says (the one this run just made and verified). */
  protect?: string[];
  /** Backups the policy does not count and never removes (the schedule's retention leaves hand-made ones to `prune`). */
  leave?: string[];
  dryRun?: boolean;
  /** When a repository frees the space (restic prune): 'now' for the prune command, 'due' (daily) for scheduled runs. */
  reclaim?: 'now' | 'due';
}

export interface PruneResult {
  /** The store's location: the backups dir, or the repository URL. */
  dir: string;
  dryRun: boolean;
  kept: (StoredBackup & { reasons: string[] })[];
  removed: StoredBackup[];
  ignored: { file: string; reason: string }[];
}

/**
 * Applies retention to this state's backups in a store (what counts as ours is the store's listing). The newest
 * backup and every protected one are always kept. Only the backups themselves are deleted.
 */
export async function pruneBackups(store: BackupStore, options: PruneOptions): Promise<PruneResult> {
  const listing = await store.list();
  const leave = new Set(options.leave ?? []);
  const counted = listing.archives.filter((entry) => !leave.has(entry.archive));
  const dated = counted.map((entry) => ({ entry, createdAt: new Date(entry.createdAt) }));
  const plan = planRetention(dated, options.retention, options.timeZone, (a, b) => newestBackupFirst(a.entry, b.entry));
  const protect = new Set([...(options.protect ?? []), ...(counted[0] ? [counted[0].archive] : [])]);
  const kept = plan.keep.map((k) => ({ ...k.item.entry, reasons: k.reasons }));
  for (const entry of listing.archives) if (leave.has(entry.archive)) kept.push({ ...entry, reasons: ['made by hand with create'] });
  const removed: StoredBackup[] = [];
  for (const { entry } of plan.remove) {
    if (protect.has(entry.archive)) kept.push({ ...entry, reasons: ['protected'] });
    else removed.push(entry);
  }
  if (!options.dryRun && removed.length > 0) await store.remove(removed, { reclaim: options.reclaim ?? 'due' });
  kept.sort(newestBackupFirst);
  // Dated in the future: never counted, so never pushing real backups out, and never deleted unseen either.
  const suspect = (listing.suspect ?? []).map((b) => ({ file: b.archive, reason: `${b.suspect ?? 'suspect'}: not counted` }));
  return { dir: listing.location, dryRun: options.dryRun ?? false, kept, removed, ignored: [...listing.ignored, ...suspect] };
}
