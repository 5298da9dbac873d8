import type { DatabaseSync } from 'node:sqlite';
import { referencedTables, tableColumns } from './sqlite-db.js';

/** Rebuilt by OpenClaw from transcript_events (its own Git backup leaves them out too). */
export const PROJECTION_TABLES = ['session_transcript_index_state', 'session_transcript_active_events', 'session_transcript_fts_rows'];
/** Work and validation queues: carrying them over would replay work or skip OpenClaw's checks in the new install. */
export const QUEUE_TABLES = ['session_canonical_validation_pending', 'session_pending_inputs', 'context_engine_turn_outbox'];
/** Tables OpenClaw itself treats as credential-bearing, and the memory index (rebuilt from the workspace files). */
const SKIPPED = new Set([...PROJECTION_TABLES, ...QUEUE_TABLES, 'session_suggestions', 'auth_profile_store', 'auth_profile_state']);
const FTS5_SHADOWS = ['data', 'idx', 'content', 'docsize', 'config'];

export interface TablePlan {
  name: string;
  scope: 'key' | 'window';
}

export interface SessionTablePlan {
  /** Tables copied per session, parents before children; session_nodes, session_windows, transcript_events first. */
  tables: TablePlan[];
  /** Every table that holds rows of a session (copied or not), children before parents: what `replace` deletes. */
  deleteOrder: TablePlan[];
}

interface SchemaEntry {
  type: string;
  name: string;
  sql: string;
}

export function readSchemaEntries(db: DatabaseSync): SchemaEntry[] {
  return db
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
    .all() as unknown as SchemaEntry[];
}

function virtualTables(entries: SchemaEntry[]): string[] {
  return entries.filter((e) => /^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(e.sql)).map((e) => e.name);
}

/** FTS5 creates these itself with its virtual table; creating them again fails. */
function shadowTables(entries: SchemaEntry[]): Set<string> {
  return new Set(virtualTables(entries).flatMap((v) => FTS5_SHADOWS.map((s) => `${v}_${s}`)));
}

/** Plain tables: not virtual, not an FTS5 shadow table, not SQLite's own. */
export function plainTables(entries: SchemaEntry[]): string[] {
  const virtual = virtualTables(entries);
  const shadow = shadowTables(entries);
  return entries.filter((e) => e.type === 'table' && !virtual.includes(e.name) && !shadow.has(e.name)).map((e) => e.name);
}

/** The DDL that recreates this store's schema: tables (virtual ones included), then indexes, then triggers. */
export function schemaStatements(db: DatabaseSync): string[] {
  const entries = readSchemaEntries(db);
  const shadow = shadowTables(entries);
  const rank = { table: 0, index: 1, trigger: 2, view: 3 } as Record<string, number>;
  return entries
    .filter((e) => !shadow.has(e.name))
    .sort((a, b) => (rank[a.type] ?? 4) - (rank[b.type] ?? 4))
    .map((e) => e.sql);
}

function scopeOf(columns: string[]): TablePlan['scope'] | undefined {
  if (columns.includes('session_key')) return 'key';
  if (columns.includes('session_id')) return 'window';
  return undefined;
}

function sortParentsFirst(db: DatabaseSync, plans: TablePlan[]): TablePlan[] {
  const byName = new Map(plans.map((p) => [p.name, p]));
  const done = new Set<string>();
  const out: TablePlan[] = [];
  const visit = (name: string, stack: Set<string>) => {
    if (done.has(name) || stack.has(name) || !byName.has(name)) return;
    stack.add(name);
    for (const parent of referencedTables(db, name)) visit(parent, stack);
    done.add(name);
    out.push(byName.get(name)!);
  };
  for (const name of ['session_nodes', 'session_windows', 'transcript_events', ...byName.keys()]) visit(name, new Set());
  return out;
}

/** Which tables make up a session in this store, found from the schema so new OpenClaw tables are not missed. */
export function planSessionTables(db: DatabaseSync): SessionTablePlan {
  const all: TablePlan[] = [];
  for (const name of plainTables(readSchemaEntries(db))) {
    if (name.startsWith('memory_') || name === 'standing_intents') continue;
    const scope = scopeOf(tableColumns(db, name));
    if (scope) all.push({ name, scope });
  }
  const ordered = sortParentsFirst(db, all);
  return { tables: ordered.filter((t) => !SKIPPED.has(t.name)), deleteOrder: [...ordered].reverse() };
}
