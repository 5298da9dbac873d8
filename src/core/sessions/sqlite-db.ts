import { existsSync } from 'node:fs';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { BackupError } from '../../errors.js';

/** A JSON-safe SQLite value: BLOBs and integers beyond 2^53 get a tagged object so the document stays plain JSON. */
export type JsonSqlValue = string | number | null | { $base64: string } | { $int: string };
export type JsonRow = Record<string, JsonSqlValue>;

/** Databases a reader found at rest (no -wal file): their reader's -wal and -shm are tidied away on close. */
const atRest = new WeakMap<DatabaseSync, string>();

/**
 * Opens a database that a live gateway may be writing, for reading only. WAL mode lets readers and the writer run
 * side by side, so this never blocks the gateway; committed pages still in the -wal file are seen. Close it with
 * closeDatabase().
 */
export function openReadOnly(file: string): DatabaseSync {
  const rest = !existsSync(`${file}-wal`);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { readOnly: true, timeout: 2_000 });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch {
    try {
      // A WAL database whose -shm is missing cannot be opened read-only; opening it normally creates the -shm only.
      db = new DatabaseSync(file, { timeout: 2_000 });
    } catch (error) {
      throw new BackupError('failure', `cannot open database ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (rest) atRest.set(db, file);
  return db;
}

/**
 * Closes a connection. A reader of a database at rest made its -wal and -shm (a WAL reader needs them), and a
 * read-only connection cannot remove them: SQLite's own last-connection cleanup, run by a connection that only
 * reads, removes them again — and leaves them when anyone else (a gateway) has the database open. So reading
 * changes nothing on disk.
 */
export function closeDatabase(db: DatabaseSync): void {
  if (db.isOpen) db.close();
  const file = atRest.get(db);
  if (!file || !existsSync(`${file}-wal`)) return;
  atRest.delete(db);
  try {
    const tidy = new DatabaseSync(file, { timeout: 0 });
    try {
      tidy.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
    } finally {
      tidy.close();
    }
  } catch {
    // busy or unreadable: the files stay, as any reader's would
  }
}

export function openWritable(file: string): DatabaseSync {
  try {
    const db = new DatabaseSync(file, { timeout: 5_000 });
    db.exec('PRAGMA foreign_keys = ON');
    return db;
  } catch (error) {
    throw new BackupError('failure', `cannot open database ${file}: ${(error as Error).message}`, { cause: error });
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function encodeValue(value: unknown): JsonSqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : { $int: value.toString() };
  }
  if (value instanceof Uint8Array) return { $base64: Buffer.from(value).toString('base64') };
  throw new BackupError('failure', `unsupported SQLite value of type ${typeof value}`);
}

export function decodeValue(value: JsonSqlValue | undefined): SQLInputValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') {
    if ('$base64' in value) return Buffer.from(value.$base64, 'base64');
    if ('$int' in value) return BigInt(value.$int);
  }
  return value as string | number;
}

/** Runs a query and returns rows with JSON-safe values (big integers are read exactly). */
export function selectRows(db: DatabaseSync, sql: string, params: SQLInputValue[] = []): JsonRow[] {
  const statement = db.prepare(sql);
  statement.setReadBigInts(true);
  return (statement.all(...params) as Record<string, unknown>[]).map((row) => {
    const out: JsonRow = {};
    for (const [key, value] of Object.entries(row)) out[key] = encodeValue(value);
    return out;
  });
}

export function insertRow(db: DatabaseSync, table: string, row: JsonRow): void {
  const columns = Object.keys(row);
  const sql = `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
  db.prepare(sql).run(...columns.map((c) => decodeValue(row[c])));
}

export function tableColumns(db: DatabaseSync, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${quoteIdent(table)})`).all() as Array<{ name: string }>).map((r) => r.name);
}

/** Tables a foreign key of `table` points at. */
export function referencedTables(db: DatabaseSync, table: string): string[] {
  return (db.prepare(`PRAGMA foreign_key_list(${quoteIdent(table)})`).all() as Array<{ table: string }>).map((r) => r.table);
}
