import fs from 'node:fs/promises';
import path from 'node:path';
import { isSelected, type Selection } from '../components.js';
import { throwIfAborted } from '../../errors.js';
import { copyDatabase, hasSqliteHeader, SQLITE_NAME } from './sqlite-snapshot.js';
import type { BackupSource } from './sources.js';
import { walkTree } from './walk.js';

/** A consistent copy in the staging dir. It is integrity-checked and hashed when it is archived, after the pause. */
export interface DatabaseSnapshot {
  file: string;
  pages: number;
  size: number;
}

let counter = 0;

/** Copies one live database into the staging dir with SQLite's online backup API. */
export async function takeSnapshot(source: string, stagingDir: string): Promise<DatabaseSnapshot> {
  counter += 1;
  const file = path.join(stagingDir, `db-${counter}-${path.basename(source)}`);
  const { pages } = await copyDatabase(source, file);
  const { size } = await fs.stat(file);
  return { file, pages, size };
}

interface FindOptions {
  sources: BackupSource[];
  selection: Selection;
  excludeAbs: string[];
  signal?: AbortSignal | undefined;
  /** Filled with the selected files and their bytes as the walk goes: the totals progress reports against. */
  totals?: { files: number; bytes: number } | undefined;
}

/** Every selected database (found by name, confirmed by header). Runs before the pause: it reads no database. */
export async function findDatabases(options: FindOptions): Promise<string[]> {
  const found: string[] = [];
  for (const source of options.sources) {
    const walk = walkTree(source.root.path, { skip: (rel) => source.neverArchived(rel), excludeAbs: options.excludeAbs, signal: options.signal });
    for await (const entry of walk) {
      if (entry.kind !== 'file' || (!options.totals && !SQLITE_NAME.test(entry.abs))) continue;
      const component = source.classify(entry.rel);
      if (!source.globPaths(entry.rel).some((p) => isSelected(options.selection, component, p))) continue;
      if (options.totals) {
        options.totals.files += 1;
        options.totals.bytes += entry.stat.size;
      }
      if (!SQLITE_NAME.test(entry.abs)) continue;
      if (await hasSqliteHeader(entry.abs).catch(() => false)) found.push(entry.abs);
    }
  }
  return found;
}

/**
 * The snapshot phase: each database is copied with the online backup API, one after the other. This is the only
 * phase that needs the gateway quiesced, so it does nothing else: finding the databases happens before it,
 * integrity_check and hashing after it. A database deleted since it was found is skipped (it is gone from the state).
 */
export async function snapshotDatabases(options: { databases: string[]; stagingDir: string; signal?: AbortSignal | undefined }): Promise<Map<string, DatabaseSnapshot>> {
  const snapshots = new Map<string, DatabaseSnapshot>();
  for (const abs of options.databases) {
    throwIfAborted(options.signal);
    if (!(await fs.access(abs).then(() => true, () => false))) continue;
    snapshots.set(abs, await takeSnapshot(abs, options.stagingDir));
  }
  return snapshots;
}
