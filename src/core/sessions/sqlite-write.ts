import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { DatabaseSync } from 'node:sqlite';
import { BackupError, ConfigError } from '../../errors.js';
import { ensurePrivateDir, fsyncDir, tempSuffix } from '../fs/atomic.js';
import { entryText, eventText, type AgentStoreInfo, type ExportedSession, type SessionWindow } from './document.js';
import { closeDatabase, insertRow, openReadOnly, openWritable, quoteIdent, tableColumns, type JsonRow } from './sqlite-db.js';
import { resolveConflicts, type OnConflict } from './conflicts.js';
import { planSessionTables, type SessionTablePlan } from './sqlite-plan.js';

/** Creates an empty store from the exported DDL in a temp file, then moves it into place: all or nothing. */
async function createStore(dbPath: string, agentId: string, info: AgentStoreInfo): Promise<void> {
  if (!info.schema?.length || !info.baseRows) {
    throw new ConfigError(`agent "${agentId}" has no session store at ${dbPath} and the document carries no schema to create one`);
  }
  await ensurePrivateDir(path.dirname(dbPath));
  const temp = `${dbPath}.${tempSuffix()}.tmp`;
  const db = openWritable(temp);
  try {
    db.exec('PRAGMA auto_vacuum = INCREMENTAL');
    db.exec('BEGIN');
    for (const sql of info.schema) db.exec(sql);
    for (const [table, rows] of Object.entries(info.baseRows)) {
      for (const row of rows) insertRow(db, table, table === 'schema_meta' && row.role === 'agent' ? { ...row, agent_id: agentId } : row);
    }
    db.exec(`PRAGMA user_version = ${Number(info.userVersion ?? info.schemaVersion ?? 0)}`);
    db.exec('COMMIT');
    db.exec('PRAGMA journal_mode = WAL');
    db.close();
    fs.chmodSync(temp, 0o600);
    fs.renameSync(temp, dbPath);
    await fsyncDir(path.dirname(dbPath));
  } catch (error) {
    if (db.isOpen) db.close();
    fs.rmSync(temp, { force: true });
    for (const side of ['-wal', '-shm', '-journal']) fs.rmSync(`${temp}${side}`, { force: true });
    throw error instanceof BackupError
      ? error
      : new BackupError('failure', `cannot create session store ${dbPath}: ${(error as Error).message}`, { cause: error });
  }
}

function targetSchemaVersion(db: DatabaseSync): number | undefined {
  const row = db.prepare("SELECT schema_version FROM schema_meta WHERE meta_key = 'primary'").get() as
    { schema_version: number } | undefined;
  return row?.schema_version;
}

function existingWindowIds(db: DatabaseSync, key: string): string[] {
  return (db.prepare('SELECT session_id FROM session_windows WHERE session_key = ?').all(key) as Array<{ session_id: string }>).map(
    (r) => r.session_id,
  );
}

/** Keys of the document that already exist in the store, by key or by one of their session ids. */
export function findSqliteConflicts(db: DatabaseSync, sessions: ExportedSession[]): string[] {
  const byKey = db.prepare('SELECT 1 FROM session_nodes WHERE session_key = ?');
  const byWindow = db.prepare('SELECT 1 FROM session_windows WHERE session_id = ?');
  return sessions.filter((s) => byKey.get(s.key) || s.windows.some((w) => byWindow.get(w.sessionId))).map((s) => s.key);
}

function deleteSession(db: DatabaseSync, plan: SessionTablePlan, session: ExportedSession): void {
  const windowIds = new Set([...existingWindowIds(db, session.key), ...session.windows.map((w) => w.sessionId)]);
  for (const id of session.windows.map((w) => w.sessionId)) {
    const owner = db.prepare('SELECT session_key FROM session_windows WHERE session_id = ?').get(id) as { session_key: string } | undefined;
    if (owner) for (const other of existingWindowIds(db, owner.session_key)) windowIds.add(other);
  }
  for (const table of plan.deleteOrder) {
    if (table.scope === 'key') db.prepare(`DELETE FROM ${quoteIdent(table.name)} WHERE session_key = ?`).run(session.key);
    else for (const id of windowIds) db.prepare(`DELETE FROM ${quoteIdent(table.name)} WHERE session_id = ?`).run(id);
  }
  for (const id of windowIds) db.prepare('DELETE FROM session_windows WHERE session_id = ?').run(id);
}

function eventRow(sessionId: string, event: SessionWindow['events'][number]): JsonRow {
  const text = eventText(event);
  const navigation =
    event.navigation === undefined ? null : typeof event.navigation === 'string' ? event.navigation : JSON.stringify(event.navigation);
  const base: JsonRow = { session_id: sessionId, seq: event.seq, created_at: event.createdAt ?? 0, navigation_json: navigation };
  if (event.encoding === 'zstd') {
    const bytes = Buffer.from(text, 'utf8');
    return {
      ...base,
      event_json: null,
      event_zstd: { $base64: zlib.zstdCompressSync(bytes).toString('base64') },
      event_utf8_bytes: bytes.length,
    };
  }
  return { ...base, event_json: text, event_zstd: null, event_utf8_bytes: Buffer.byteLength(text, 'utf8') };
}

function insertSession(db: DatabaseSync, plan: SessionTablePlan, session: ExportedSession): void {
  const rows = session.rows ?? {};
  const node = rows.session_nodes?.[0];
  if (!node) throw new ConfigError(`session ${session.key}: the document has no session_nodes row (was it exported from a SQLite store?)`);
  for (const conversation of rows.conversations ?? []) {
    if (!db.prepare('SELECT 1 FROM conversations WHERE conversation_id = ?').get(conversation.conversation_id as string))
      insertRow(db, 'conversations', conversation);
  }
  insertRow(db, 'session_nodes', { ...node, entry_json: entryText(session) });
  for (const window of session.windows) {
    if (!window.row) throw new ConfigError(`session ${session.key}: window ${window.sessionId} has no session_windows row`);
    insertRow(db, 'session_windows', window.row);
    for (const event of window.events) insertRow(db, 'transcript_events', eventRow(window.sessionId, event));
  }
  const planned = new Set(plan.tables.map((t) => t.name));
  for (const table of Object.keys(rows)) {
    if (!planned.has(table) && table !== 'conversations')
      throw new ConfigError(`session ${session.key}: table ${table} is not a session table of this store`);
  }
  for (const table of plan.tables) {
    if (['session_nodes', 'session_windows', 'transcript_events'].includes(table.name)) continue;
    const columns = new Set(tableColumns(db, table.name));
    for (const row of rows[table.name] ?? []) {
      const unknown = Object.keys(row).find((c) => !columns.has(c));
      if (unknown) throw new ConfigError(`session ${session.key}: column ${table.name}.${unknown} does not exist in this store`);
      insertRow(db, table.name, row);
    }
  }
  // OpenClaw's triggers mark a freshly inserted entry unvalidated; the exported flag is what OpenClaw had decided.
  db.prepare('UPDATE session_nodes SET entry_valid = ? WHERE session_key = ?').run(Number(node.entry_valid ?? 0), session.key);
}

export interface SqliteImportResult {
  imported: string[];
  skipped: string[];
  replaced: string[];
  created: boolean;
}

export interface SqliteImportOptions {
  dbPath: string;
  agentId: string;
  info: AgentStoreInfo;
  sessions: ExportedSession[];
  onConflict: OnConflict;
  /** What the conflict error suggests (default: the --on-conflict choices). */
  conflictHint?: string | undefined;
  dryRun: boolean;
}

/** Imports sessions into one agent's SQLite store in a single transaction, creating the store when there is none. */
export async function writeSqliteStore(options: SqliteImportOptions): Promise<SqliteImportResult> {
  const { dbPath, agentId, info, sessions, dryRun } = options;
  const exists = fs.existsSync(dbPath);
  if (!exists) {
    if (dryRun) return { imported: sessions.map((s) => s.key), skipped: [], replaced: [], created: true };
    await createStore(dbPath, agentId, info);
  }
  // The checking pass opens read-only: a writable connection would checkpoint the WAL when it closes.
  const db = dryRun ? openReadOnly(dbPath) : openWritable(dbPath);
  try {
    return { ...importInto(db, options), created: !exists };
  } catch (error) {
    if (!exists) {
      db.close();
      for (const side of ['', '-wal', '-shm']) fs.rmSync(`${dbPath}${side}`, { force: true });
    }
    throw error;
  } finally {
    closeDatabase(db);
  }
}

function importInto(db: DatabaseSync, options: SqliteImportOptions): Omit<SqliteImportResult, 'created'> {
  const { dbPath, agentId, info, sessions } = options;
  const version = targetSchemaVersion(db);
  if (info.schemaVersion !== undefined && version !== info.schemaVersion) {
    throw new ConfigError(
      `agent "${agentId}": the document's sessions come from agent store schema ${info.schemaVersion} (OpenClaw ${info.appVersion ?? '?'}), this store is schema ${version ?? 'unknown'}; import with the same OpenClaw version`,
    );
  }
  const { todo, skipped, replaced } = resolveConflicts(
    agentId,
    sessions,
    findSqliteConflicts(db, sessions),
    options.onConflict,
    options.conflictHint,
  );
  const result = { imported: todo.map((s) => s.key), skipped, replaced };
  if (options.dryRun) return result;
  const plan = planSessionTables(db);
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const session of todo) {
      if (replaced.includes(session.key)) deleteSession(db, plan, session);
      insertSession(db, plan, session);
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    if (error instanceof BackupError) throw error;
    throw new BackupError('failure', `cannot import sessions into ${dbPath}: ${(error as Error).message}`, { cause: error });
  }
  return result;
}
