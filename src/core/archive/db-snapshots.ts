import path from 'node:path';
import { isSelected, type Selection } from '../components.js';
import { throwIfAborted } from '../errors.js';
import { sha256File } from '../fs/hash-file.js';
import { hasSqliteHeader, snapshotDatabase, SQLITE_NAME } from './sqlite-snapshot.js';
import type { BackupSource } from './sources.js';
import { walkTree } from './walk.js';

export interface DatabaseSnapshot {
  file: string;
  pages: number;
  size: number;
  sha256: string;
}

let counter = 0;

/** Snapshots one database into the staging dir and hashes the snapshot. */
export async function takeSnapshot(source: string, stagingDir: string): Promise<DatabaseSnapshot> {
  counter += 1;
  const file = path.join(stagingDir, `db-${counter}-${path.basename(source)}`);
  const { pages } = await snapshotDatabase(source, file);
  const { size } = await import('node:fs/promises').then((fs) => fs.stat(file));
  return { file, pages, size, sha256: await sha256File(file) };
}

/**
 * The snapshot phase: every selected database (found by name, confirmed by header) is copied with the online
 * backup API. This is the only phase that needs the gateway quiesced; it reads no other file.
 */
export async function snapshotDatabases(options: {
  sources: BackupSource[];
  selection: Selection;
  stagingDir: string;
  excludeAbs: string[];
  signal?: AbortSignal | undefined;
}): Promise<Map<string, DatabaseSnapshot>> {
  const snapshots = new Map<string, DatabaseSnapshot>();
  for (const source of options.sources) {
    const walk = walkTree(source.root.path, {
      skip: (rel) => source.neverArchived(rel),
      excludeAbs: options.excludeAbs,
      signal: options.signal,
    });
    for await (const entry of walk) {
      if (entry.kind !== 'file' || !SQLITE_NAME.test(entry.abs)) continue;
      const component = source.classify(entry.rel);
      if (!source.globPaths(entry.rel).some((p) => isSelected(options.selection, component, p))) continue;
      if (!(await hasSqliteHeader(entry.abs).catch(() => false))) continue;
      throwIfAborted(options.signal);
      snapshots.set(entry.abs, await takeSnapshot(entry.abs, options.stagingDir));
    }
  }
  return snapshots;
}
