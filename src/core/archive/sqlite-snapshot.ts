import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { backup, DatabaseSync } from 'node:sqlite';
import { IntegrityError, describeFsError, BackupError } from '../../errors.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
export const SQLITE_NAME = /\.(sqlite3?|db)$/;

export function isSqliteHeader(head: Uint8Array): boolean {
  return head.length >= SQLITE_MAGIC.length && Buffer.from(head.buffer, head.byteOffset, SQLITE_MAGIC.length).equals(SQLITE_MAGIC);
}

export async function hasSqliteHeader(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(SQLITE_MAGIC.length);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return bytesRead === buf.length && isSqliteHeader(buf);
  } finally {
    await handle.close();
  }
}

export interface SnapshotResult {
  pages: number;
}

/** All pages in one step: one read transaction, so a concurrent writer can't force a restart. */
const ALL_PAGES = 2_147_483_647;

function openSource(file: string): DatabaseSync {
  try {
    return new DatabaseSync(file, { readOnly: true, timeout: 5_000 });
  } catch {
    // Read-only open fails on a WAL database whose -shm is missing in a dir we can write; read-write is still safe.
    return new DatabaseSync(file, { timeout: 5_000 });
  }
}

/** SQLITE_FULL: the staging dir's filesystem (or a quota) ran out of space while the snapshot was written. */
const SQLITE_FULL = 13;

/** node:sqlite errors carry SQLite's own code and text (code is just ERR_SQLITE_ERROR); fs errors carry errno codes. */
function describeSnapshotError(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { errcode?: number; errstr?: string };
  if (e?.code === 'ERR_SQLITE_ERROR') {
    if (e.errcode === SQLITE_FULL) return 'ENOSPC: no space left on device (database or disk is full)';
    return e.errstr ?? e.message;
  }
  return e?.code ? describeFsError(error) : (error as Error).message;
}

/**
 * A live database opened for a snapshot, with a read transaction that fixes what the snapshot will hold. In WAL mode
 * (OpenClaw's) that transaction costs writers nothing, so the gateway needs to be held still only while it is opened
 * (src/core/locks/quiesce.ts), not while the pages are copied; in rollback-journal mode it blocks writers like any reader.
 */
export interface PinnedDatabase {
  source: string;
  db: DatabaseSync;
  /** The journal mode the file is in: "wal" lets the copy wait until after the pause. */
  wal: boolean;
}

function openError(source: string, error: unknown): BackupError {
  return new BackupError('failure', `cannot open database ${source}: ${(error as Error).message}`, { cause: error });
}

/**
 * Opens `source` and starts a read transaction on it: the snapshot's point in time is now, whenever its pages are
 * copied (copyPinned). Reading the schema is what makes SQLite take the transaction's snapshot, and it finds a file
 * that is not a database (SQLITE_NOTADB) or damaged past opening (SQLITE_CORRUPT) before anything is written.
 */
export function pinDatabase(source: string): PinnedDatabase {
  let db: DatabaseSync;
  try {
    db = openSource(source);
  } catch (error) {
    throw openError(source, error);
  }
  try {
    const mode = db.prepare('PRAGMA journal_mode').get() as { journal_mode?: string } | undefined;
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return { source, db, wal: mode?.journal_mode === 'wal' };
  } catch (error) {
    db.close();
    throw new BackupError('failure', `cannot snapshot database ${source}: ${describeSnapshotError(error)}`, { cause: error });
  }
}

/**
 * Copies a pinned database with SQLite's online backup API, all pages in one step inside the pinned read
 * transaction, so committed data still in the -wal file is included and a concurrent writer never yields a torn copy.
 * Closes the connection (ending the transaction) whatever happens.
 */
export async function copyPinned(pinned: PinnedDatabase, destination: string): Promise<SnapshotResult> {
  let pages: number;
  try {
    // SQLite would create the file 0644; it holds credentials, so it exists 0600 before the first page lands.
    await (await fs.open(destination, 'wx', 0o600)).close();
    pages = await backup(pinned.db, destination, { rate: ALL_PAGES });
  } catch (error) {
    throw new BackupError('failure', `cannot snapshot database ${pinned.source}: ${describeSnapshotError(error)}`, { cause: error });
  } finally {
    closePinned(pinned);
  }
  return { pages };
}

/** Ends the read transaction and closes the connection (a pinned database that will not be copied). */
export function closePinned(pinned: PinnedDatabase): void {
  try {
    if (pinned.db.isOpen) pinned.db.close();
  } catch {
    // closing a read-only connection cannot lose anything; the file is untouched
  }
}

/** Pins and copies in one go: a database found late (by its header, not its name) or one not in WAL mode. */
export async function copyDatabase(source: string, destination: string): Promise<SnapshotResult> {
  return copyPinned(pinDatabase(source), destination);
}

/** What PRAGMA integrity_check returned, or the error SQLite raised (its code, errcode and errstr kept). */
export type IntegrityOutcome = { rows: string[] } | { error: unknown };

/** Runs PRAGMA integrity_check on this thread. The check is also run in a worker (db-check-worker.ts), beside the archive. */
export function runIntegrityCheck(file: string, options: { immutable?: boolean } = {}): IntegrityOutcome {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(options.immutable ? immutableUrl(file) : file, { readOnly: true });
    const rows = db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>;
    return { rows: rows.map((r) => r.integrity_check) };
  } catch (error) {
    return { error };
  } finally {
    db?.close();
  }
}

/**
 * Judges a check's outcome: throws IntegrityError naming `label` when it is not "ok", BackupError when the disk or
 * the directory failed us (not the database).
 */
export async function judgeIntegrity(outcome: IntegrityOutcome, file: string, label: string): Promise<void> {
  if ('rows' in outcome) {
    if (outcome.rows[0] === 'ok') return;
    throw new IntegrityError(`database ${label} failed integrity_check: ${firstFinding(outcome.rows)}`);
  }
  const { error } = outcome;
  if (isEnvironmentError(error)) {
    throw new BackupError('failure', `cannot check database ${label}: ${await describeCheckError(error, file)}`, { cause: error });
  }
  throw new IntegrityError(`database ${label} failed integrity_check: ${(error as Error).message}`, { cause: error });
}

/**
 * Runs PRAGMA integrity_check; throws IntegrityError naming `label` when it is not "ok". `immutable` opens the file
 * as read-only media (SQLite's immutable=1): nothing is created beside it, not even a -shm for a WAL database.
 */
export async function checkIntegrity(file: string, label = file, options: { immutable?: boolean } = {}): Promise<void> {
  await judgeIntegrity(runIntegrityCheck(file, options), file, label);
}

/** integrity_check can report thousands of lines: the first real finding, and how many more there are. */
function firstFinding(rows: string[]): string {
  const lines = rows.flatMap((row) => row.split('\n')).filter((line) => line && !line.startsWith('*** '));
  if (lines.length === 0) return 'no result';
  return lines.length > 1 ? `${lines[0]} (and ${lines.length - 1} more)` : (lines[0] as string);
}

export function immutableUrl(file: string): URL {
  const url = pathToFileURL(file);
  url.searchParams.set('immutable', '1');
  return url;
}

const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

/**
 * The file itself is damaged (SQLITE_CORRUPT, SQLITE_NOTADB, or a failed integrity_check), as opposed to the disk,
 * a lock or an abort: such a database is stored as a raw copy instead of failing the whole backup.
 */
export function isDamagedDatabaseError(error: unknown): boolean {
  for (let e = error as { code?: string; errcode?: number; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e instanceof IntegrityError) return true;
    if (e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') {
      const primary = e.errcode & 0xff;
      return primary === SQLITE_CORRUPT || primary === SQLITE_NOTADB;
    }
  }
  return false;
}

/** Primary SQLite codes that say the disk or the directory failed us, not that the database is corrupt. */
const SQLITE_IOERR = 10;
const SQLITE_CANTOPEN = 14;

function isEnvironmentError(error: unknown): boolean {
  const e = error as { code?: string; errcode?: number };
  if (e?.code !== 'ERR_SQLITE_ERROR' || typeof e.errcode !== 'number') return false;
  const primary = e.errcode & 0xff;
  return primary === SQLITE_IOERR || primary === SQLITE_FULL || primary === SQLITE_CANTOPEN;
}

/**
 * Opening a WAL snapshot needs room for its -shm index: on a full filesystem SQLite only says "disk I/O error".
 * Say what happened when the filesystem is (nearly) full.
 */
async function describeCheckError(error: unknown, file: string): Promise<string> {
  const reason = describeSnapshotError(error);
  const stats = await fs.statfs(path.dirname(file)).catch(() => undefined);
  if (stats && stats.bavail * stats.bsize < 1024 * 1024) return `ENOSPC: no space left on device (SQLite: ${reason})`;
  return reason;
}
