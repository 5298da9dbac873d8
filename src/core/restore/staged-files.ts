import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { IntegrityError } from '../../errors.js';
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
 * PRAGMA integrity_check on the staged copy of every database that will be restored (no copy in $TMPDIR). Opened
 * with SQLite's `immutable=1`: the main file alone, as verify checks it, and nothing written beside it — no -shm or
 * -wal created, and the -wal/-shm a hand-made archive holds stay byte for byte as archived.
 */
export async function checkStagedDatabases(staging: string, entries: ScannedEntry[], written: Set<string>, signal?: AbortSignal): Promise<void> {
  for (const entry of entries) {
    if (entry.kind !== 'file' || !entry.database || !written.has(entry.rel)) continue;
    if (signal?.aborted) return;
    checkImmutable(path.join(staging, entry.rel), entry.name);
  }
}

function checkImmutable(file: string, label: string): void {
  const url = pathToFileURL(file);
  url.searchParams.set('immutable', '1');
  let db: DatabaseSync | undefined;
  let first: string | undefined;
  try {
    db = new DatabaseSync(url, { readOnly: true });
    first = (db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>)[0]?.integrity_check;
  } catch (error) {
    throw new IntegrityError(`database ${label} failed integrity_check: ${(error as Error).message}`, { cause: error });
  } finally {
    db?.close();
  }
  if (first !== 'ok') throw new IntegrityError(`database ${label} failed integrity_check: ${first ?? 'no result'}`);
}
