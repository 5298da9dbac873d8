import fs from 'node:fs/promises';
import path from 'node:path';
import { isSelected, type Selection } from '../components.js';
import { throwIfAborted } from '../../errors.js';
import { copyDatabase, hasSqliteHeader, isDamagedDatabaseError, SQLITE_NAME } from './sqlite-snapshot.js';
import type { BackupSource } from './sources.js';
import { mayBeSparse } from './sparse-read.js';
import { walkTree } from './walk.js';

/** A consistent copy in the staging dir. It is integrity-checked and hashed when it is archived, after the pause. */
export interface DatabaseSnapshot {
  file: string;
  pages: number;
  size: number;
}

/** A database the online backup API could not copy because the file is damaged: it is archived raw instead. */
export interface DamagedDatabase {
  damaged: string;
}

export type SnapshotOutcome = DatabaseSnapshot | DamagedDatabase;

export function isDamaged(outcome: SnapshotOutcome): outcome is DamagedDatabase {
  return 'damaged' in outcome;
}

let counter = 0;

/**
 * Copies one live database into the staging dir with SQLite's online backup API. A damaged file (not a database
 * after all, or corrupt past what the copy can read) is reported as such, not thrown: one bad file must not block
 * the backup of everything else. The disk, a lock or an abort still throw.
 */
export async function takeSnapshot(source: string, stagingDir: string): Promise<SnapshotOutcome> {
  counter += 1;
  const file = path.join(stagingDir, `db-${counter}-${path.basename(source)}`);
  try {
    const { pages } = await copyDatabase(source, file);
    const { size } = await fs.stat(file);
    return { file, pages, size };
  } catch (error) {
    if (!isDamagedDatabaseError(error)) throw error;
    await fs.rm(file, { force: true });
    const cause = (error as { cause?: { errstr?: string } }).cause;
    return { damaged: cause?.errstr ?? (error as Error).message };
  }
}

interface FindOptions {
  sources: BackupSource[];
  selection: Selection;
  excludeAbs: string[];
  signal?: AbortSignal | undefined;
  /** Filled with the selected files and their bytes as the walk goes: the totals progress reports against. */
  totals?: { files: number; bytes: number } | undefined;
}

export interface Survey {
  /** Every selected database (found by name, confirmed by header). */
  databases: string[];
  /** Selected files with holes on disk: candidates for the sparse format (the header's format version says so). */
  sparseFiles: Set<string>;
}

/** One walk before the pause: the databases to snapshot and the sparse files. It reads no database. */
export async function surveySources(options: FindOptions): Promise<Survey> {
  const survey: Survey = { databases: [], sparseFiles: new Set() };
  for (const source of options.sources) {
    const walk = walkTree(source.root.path, {
      skip: (rel) => source.neverArchived(rel),
      excludeAbs: options.excludeAbs,
      signal: options.signal,
    });
    for await (const entry of walk) {
      if (entry.kind !== 'file') continue;
      const database = SQLITE_NAME.test(entry.abs);
      if (!options.totals && !database && !mayBeSparse(entry.stat)) continue;
      const component = source.classify(entry.rel);
      if (!source.globPaths(entry.rel).some((p) => isSelected(options.selection, component, p))) continue;
      if (options.totals) {
        options.totals.files += 1;
        options.totals.bytes += entry.stat.size;
      }
      if (!database) {
        if (mayBeSparse(entry.stat)) survey.sparseFiles.add(entry.abs);
      } else if (await hasSqliteHeader(entry.abs).catch(() => false)) survey.databases.push(entry.abs);
    }
  }
  return survey;
}

/**
 * The snapshot phase: each database is copied with the online backup API, one after the other. This is the only
 * phase that needs the gateway quiesced, so it does nothing else: finding the databases happens before it,
 * integrity_check and hashing after it. A database deleted since it was found is skipped (it is gone from the state).
 */
export async function snapshotDatabases(options: {
  databases: string[];
  stagingDir: string;
  signal?: AbortSignal | undefined;
}): Promise<Map<string, SnapshotOutcome>> {
  const snapshots = new Map<string, SnapshotOutcome>();
  for (const abs of options.databases) {
    throwIfAborted(options.signal);
    if (
      !(await fs.access(abs).then(
        () => true,
        () => false,
      ))
    )
      continue;
    snapshots.set(abs, await takeSnapshot(abs, options.stagingDir));
  }
  return snapshots;
}
