import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { ConfigError } from '../../errors.js';
import { ensurePrivateDir, writeFileAtomic } from '../fs/atomic.js';
import {
  decodeValue,
  insertRow,
  openReadOnly,
  openWritable,
  quoteIdent,
  selectRows,
  tableColumns,
  type JsonRow,
} from '../sessions/sqlite-db.js';
import { listAgentIds, locateAgentStore } from '../sessions/stores.js';

/** OpenClaw 2026.9.x keeps auth profiles (API keys) in the state database's config_machine_state under these keys. */
const MACHINE_STATE_PREFIXES = ['authProfiles.', 'auth.'];
export const STATE_DB = path.join('state', 'openclaw.sqlite');
const LEGACY_AUTH_FILE = 'auth-profiles.json';

export interface CredentialFile {
  /** Relative to the state dir, posix separators: credentials/… */
  path: string;
  mode: number;
  base64: string;
}

export interface AuthBundle {
  /** Rows of state/openclaw.sqlite: config_machine_state (auth keys only) and secret_store_entries. */
  stateDb: Record<string, JsonRow[]>;
  /** Per agent: auth_profile_store / auth_profile_state rows of its SQLite store, and a legacy auth-profiles.json. */
  agents: Record<string, { tables: Record<string, JsonRow[]>; legacyAuthProfiles?: unknown }>;
  credentials: CredentialFile[];
}

const AGENT_AUTH_TABLES = ['auth_profile_store', 'auth_profile_state'];

function hasTable(db: DatabaseSync, table: string): boolean {
  return Boolean(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table));
}

function readStateDb(file: string): Record<string, JsonRow[]> {
  if (!fs.existsSync(file)) return {};
  const db = openReadOnly(file);
  try {
    const out: Record<string, JsonRow[]> = {};
    if (hasTable(db, 'config_machine_state')) {
      const where = MACHINE_STATE_PREFIXES.map(() => 'state_key LIKE ?').join(' OR ');
      out.config_machine_state = selectRows(
        db,
        `SELECT * FROM config_machine_state WHERE ${where} ORDER BY state_key`,
        MACHINE_STATE_PREFIXES.map((p) => `${p}%`),
      );
    }
    if (hasTable(db, 'secret_store_entries'))
      out.secret_store_entries = selectRows(db, 'SELECT * FROM secret_store_entries ORDER BY rowid');
    return out;
  } finally {
    db.close();
  }
}

function readCredentialFiles(stateDir: string): CredentialFile[] {
  const root = path.join(stateDir, 'credentials');
  const out: CredentialFile[] = [];
  const walk = (dir: string) => {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const dirent of names.sort((a, b) => a.name.localeCompare(b.name))) {
      const abs = path.join(dir, dirent.name);
      if (dirent.isDirectory()) walk(abs);
      else if (dirent.isFile()) {
        out.push({
          path: path.relative(stateDir, abs).split(path.sep).join('/'),
          mode: fs.statSync(abs).mode & 0o777,
          base64: fs.readFileSync(abs).toString('base64'),
        });
      }
    }
  };
  walk(root);
  return out;
}

/** Everything that holds credentials in this OpenClaw layout, for `config export --full`. */
export function readAuthStores(stateDir: string, openclaw: Record<string, unknown>): AuthBundle {
  const agents: AuthBundle['agents'] = {};
  for (const agentId of listAgentIds(stateDir, openclaw)) {
    const store = locateAgentStore(stateDir, openclaw, agentId);
    const tables: Record<string, JsonRow[]> = {};
    if (store.layout === 'sqlite') {
      const db = openReadOnly(store.dbPath);
      try {
        for (const table of AGENT_AUTH_TABLES)
          if (hasTable(db, table)) tables[table] = selectRows(db, `SELECT * FROM ${quoteIdent(table)} ORDER BY rowid`);
      } finally {
        db.close();
      }
    }
    const legacyFile = path.join(path.dirname(store.dbPath), LEGACY_AUTH_FILE);
    const legacy = fs.existsSync(legacyFile) ? (JSON.parse(fs.readFileSync(legacyFile, 'utf8')) as unknown) : undefined;
    if (Object.values(tables).some((rows) => rows.length) || legacy !== undefined)
      agents[agentId] = { tables, ...(legacy === undefined ? {} : { legacyAuthProfiles: legacy }) };
  }
  return { stateDb: readStateDb(path.join(stateDir, STATE_DB)), agents, credentials: readCredentialFiles(stateDir) };
}

/** True when importing the bundle writes into a database (state or agent), which the gateway owns while it runs. */
export function writesDatabases(bundle: AuthBundle): boolean {
  return (
    Object.values(bundle.stateDb).some((rows) => rows.length) ||
    Object.values(bundle.agents).some((a) => Object.values(a.tables).some((rows) => rows.length))
  );
}

function primaryKey(db: DatabaseSync, table: string): string[] {
  const info = db.prepare(`PRAGMA table_info(${quoteIdent(table)})`).all() as Array<{ name: string; pk: number }>;
  return info
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
}

/** Insert or replace by primary key: the imported profile wins, other rows stay. */
function upsertRows(db: DatabaseSync, table: string, rows: JsonRow[], where: string): void {
  if (!rows.length) return;
  if (!hasTable(db, table)) throw new ConfigError(`${where} has no table ${table}; it was made by a different OpenClaw version`);
  const columns = new Set(tableColumns(db, table));
  const key = primaryKey(db, table);
  for (const row of rows) {
    const unknown = Object.keys(row).find((c) => !columns.has(c));
    if (unknown) throw new ConfigError(`${where}: column ${table}.${unknown} does not exist`);
    if (key.length)
      db.prepare(`DELETE FROM ${quoteIdent(table)} WHERE ${key.map((c) => `${quoteIdent(c)} = ?`).join(' AND ')}`).run(
        ...key.map((c) => decodeValue(row[c])),
      );
    insertRow(db, table, row);
  }
}

function writeTables(file: string, tables: Record<string, JsonRow[]>): void {
  const db = openWritable(file);
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const [table, rows] of Object.entries(tables)) upsertRows(db, table, rows, file);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  } finally {
    db.close();
  }
}

/** Checks that every store the bundle needs exists here, before anything is written. */
export function planAuthWrite(
  stateDir: string,
  openclaw: Record<string, unknown>,
  bundle: AuthBundle,
): { stateDb: string; agentDbs: Record<string, string> } {
  const stateDb = path.join(stateDir, STATE_DB);
  if (Object.values(bundle.stateDb).some((rows) => rows.length) && !fs.existsSync(stateDb)) {
    throw new ConfigError(`${stateDb} does not exist: run OpenClaw once (openclaw onboard) before importing auth profiles`);
  }
  const known = listAgentIds(stateDir, openclaw);
  const agentDbs: Record<string, string> = {};
  for (const [agentId, agent] of Object.entries(bundle.agents)) {
    if (!known.includes(agentId))
      throw new ConfigError(
        `the document has auth profiles for agent "${agentId}", which this state does not have (known agents: ${known.join(', ')})`,
      );
    const store = locateAgentStore(stateDir, openclaw, agentId);
    if (Object.values(agent.tables).some((rows) => rows.length) && store.layout !== 'sqlite') {
      throw new ConfigError(
        `agent "${agentId}" has no database at ${store.dbPath} to hold its auth profiles: start OpenClaw once, then import again`,
      );
    }
    agentDbs[agentId] = store.dbPath;
  }
  const root = path.join(stateDir, 'credentials');
  for (const file of bundle.credentials) {
    if (!path.resolve(stateDir, file.path).startsWith(`${root}${path.sep}`))
      throw new ConfigError(`credential path "${file.path}" is outside credentials/`);
  }
  return { stateDb, agentDbs };
}

/** Writes the bundle: database rows (one transaction per database), legacy files and credentials (atomic, 0600). */
export async function writeAuthStores(stateDir: string, openclaw: Record<string, unknown>, bundle: AuthBundle): Promise<void> {
  const plan = planAuthWrite(stateDir, openclaw, bundle);
  if (Object.values(bundle.stateDb).some((rows) => rows.length)) writeTables(plan.stateDb, bundle.stateDb);
  for (const [agentId, agent] of Object.entries(bundle.agents)) {
    const dbPath = plan.agentDbs[agentId]!;
    if (Object.values(agent.tables).some((rows) => rows.length)) writeTables(dbPath, agent.tables);
    if (agent.legacyAuthProfiles !== undefined) {
      await ensurePrivateDir(path.dirname(dbPath));
      await writeFileAtomic(
        path.join(path.dirname(dbPath), LEGACY_AUTH_FILE),
        `${JSON.stringify(agent.legacyAuthProfiles, null, 2)}\n`,
        0o600,
      );
    }
  }
  for (const file of bundle.credentials) {
    const abs = path.resolve(stateDir, file.path);
    await ensurePrivateDir(path.dirname(abs));
    await writeFileAtomic(abs, Buffer.from(file.base64, 'base64'), 0o600);
  }
}
