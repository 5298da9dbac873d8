import fs from 'node:fs/promises';
import path from 'node:path';
import { IntegrityError } from '../../errors.js';
import { checkIntegrity } from '../archive/sqlite-snapshot.js';
import { NotRegularError, readRegularNoFollow, rewriteRegularNoFollow } from '../fs/no-follow.js';
import type { ScannedEntry } from '../verify/scan-archive.js';

/** Configs are small; a bigger "config" is not read into memory. */
const MAX_CONFIG_BYTES = 16 << 20;

function refuse(rel: string, error: unknown): never {
  if (error instanceof NotRegularError) {
    throw new IntegrityError(`${rel}: the archive's config is a ${error.found}, not a regular file; restore never reads or writes through it`, { cause: error });
  }
  throw error;
}

/** Reads a staged config: only a regular file, opened without following a link or blocking on a FIFO. */
export async function readStagedText(staging: string, rel: string): Promise<string> {
  try {
    return (await readRegularNoFollow(path.join(staging, rel), MAX_CONFIG_BYTES)).toString('utf8');
  } catch (error) {
    return refuse(rel, error);
  }
}

/** Rewrites a staged config in place, never through a link. */
export async function writeStagedText(staging: string, rel: string, text: string): Promise<void> {
  try {
    await rewriteRegularNoFollow(path.join(staging, rel), text);
  } catch (error) {
    refuse(rel, error);
  }
}

/**
 * PRAGMA integrity_check on the staged copy of every database that will be restored (no copy in $TMPDIR). SQLite's
 * read-only open of a WAL database leaves -wal/-shm files; ones the archive did not hold are removed again.
 */
export async function checkStagedDatabases(staging: string, entries: ScannedEntry[], written: Set<string>, signal?: AbortSignal): Promise<void> {
  for (const entry of entries) {
    if (entry.kind !== 'file' || !entry.database || !written.has(entry.rel)) continue;
    if (signal?.aborted) return;
    const file = path.join(staging, entry.rel);
    const sides = [`${file}-wal`, `${file}-shm`];
    const existed = await Promise.all(sides.map((side) => fs.lstat(side).then(() => true, () => false)));
    try {
      await checkIntegrity(file, entry.name);
    } finally {
      for (const [i, side] of sides.entries()) if (!existed[i]) await fs.rm(side, { force: true });
    }
  }
}
