import fs from 'node:fs/promises';
import path from 'node:path';
import type { RetentionPolicy } from '../config/schema.js';
import { listArchives, type CatalogEntry, type CatalogOptions } from './catalog.js';
import { BackupError, describeFsError } from '../errors.js';
import { fsyncDir } from './fs/atomic.js';
import { planRetention } from './retention.js';

export interface PruneOptions extends CatalogOptions {
  retention: number | RetentionPolicy;
  timeZone?: string | undefined;
  /** Archives never removed whatever the policy says (the one this run just made and verified). */
  protect?: string[];
  dryRun?: boolean;
}

export interface PruneResult {
  dir: string;
  dryRun: boolean;
  kept: (CatalogEntry & { reasons: string[] })[];
  removed: CatalogEntry[];
  ignored: { file: string; reason: string }[];
}

/**
 * Applies retention to our archives in the backups dir (see catalog.ts for what counts as ours). The newest
 * archive and every protected one are always kept. Only the archive files themselves are deleted.
 */
export async function pruneArchives(options: PruneOptions): Promise<PruneResult> {
  const catalog = await listArchives(options);
  const dated = catalog.archives.map((entry) => ({ entry, createdAt: new Date(entry.createdAt) }));
  const plan = planRetention(dated, options.retention, options.timeZone);
  const protect = new Set([...(options.protect ?? []), ...(catalog.archives[0] ? [catalog.archives[0].archive] : [])]);
  const kept = plan.keep.map((k) => ({ ...k.item.entry, reasons: k.reasons }));
  const removed: CatalogEntry[] = [];
  for (const { entry } of plan.remove) {
    if (protect.has(entry.archive)) kept.push({ ...entry, reasons: ['protected'] });
    else removed.push(entry);
  }
  if (!options.dryRun) {
    for (const entry of removed) {
      try {
        await fs.rm(entry.archive, { force: true });
      } catch (error) {
        throw new BackupError('failure', `cannot delete ${entry.archive}: ${describeFsError(error)}`, { cause: error });
      }
    }
    if (removed.length > 0) await fsyncDir(path.resolve(options.dir));
  }
  kept.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  return { dir: catalog.dir, dryRun: options.dryRun ?? false, kept, removed, ignored: catalog.ignored };
}
