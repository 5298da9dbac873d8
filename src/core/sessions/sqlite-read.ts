import zlib from 'node:zlib';
import type { DatabaseSync } from 'node:sqlite';
import { IntegrityError } from '../../errors.js';
import { packEvent, packJson, type AgentStoreInfo, type ExportedSession, type SessionWindow, type TranscriptEvent } from './document.js';
import { closeDatabase, openReadOnly, quoteIdent, selectRows, type JsonRow } from './sqlite-db.js';
import { planSessionTables, schemaStatements } from './sqlite-plan.js';

export const BASE_TABLES = ['schema_meta', 'session_key_contract'];

function decodeEvent(row: JsonRow, where: string): TranscriptEvent {
  const { seq, created_at: createdAt, event_json: json, event_zstd: zstd, navigation_json: navigation } = row;
  let text: string;
  let encoding: TranscriptEvent['encoding'] = 'json';
  if (typeof json === 'string') text = json;
  else if (zstd && typeof zstd === 'object' && '$base64' in zstd) {
    encoding = 'zstd';
    try {
      text = zlib.zstdDecompressSync(Buffer.from(zstd.$base64, 'base64')).toString('utf8');
    } catch (error) {
      throw new IntegrityError(`${where} seq ${String(seq)}: event_zstd does not decompress: ${(error as Error).message}`, {
        cause: error,
      });
    }
  } else throw new IntegrityError(`${where} seq ${String(seq)}: neither event_json nor event_zstd`);
  const event: TranscriptEvent = { seq: Number(seq), createdAt: Number(createdAt), encoding, ...packEvent(text) };
  if (typeof navigation === 'string') {
    const packed = packJson(navigation);
    event.navigation = 'value' in packed ? packed.value : packed.text;
  }
  return event;
}

function readWindows(db: DatabaseSync, key: string): SessionWindow[] {
  const windows = selectRows(db, 'SELECT * FROM session_windows WHERE session_key = ? ORDER BY created_at, session_id', [key]);
  return windows.map((row) => {
    const sessionId = String(row.session_id);
    const events = selectRows(db, 'SELECT * FROM transcript_events WHERE session_id = ? ORDER BY seq', [sessionId]).map((e) =>
      decodeEvent(e, `transcript of ${key} (${sessionId})`),
    );
    return { sessionId, row, events };
  });
}

function readSessionRows(
  db: DatabaseSync,
  key: string,
  windowIds: string[],
  tables: ReturnType<typeof planSessionTables>['tables'],
): Record<string, JsonRow[]> {
  const rows: Record<string, JsonRow[]> = {};
  for (const table of tables) {
    if (table.name === 'session_windows' || table.name === 'transcript_events') continue;
    const found =
      table.scope === 'key'
        ? selectRows(db, `SELECT * FROM ${quoteIdent(table.name)} WHERE session_key = ? ORDER BY rowid`, [key])
        : windowIds.flatMap((id) => selectRows(db, `SELECT * FROM ${quoteIdent(table.name)} WHERE session_id = ? ORDER BY rowid`, [id]));
    if (found.length) rows[table.name] = found;
  }
  const conversationIds = new Set<string>();
  for (const r of [...(rows.session_conversations ?? [])])
    if (typeof r.conversation_id === 'string') conversationIds.add(r.conversation_id);
  return {
    ...rows,
    ...(conversationIds.size
      ? {
          conversations: [...conversationIds].flatMap((id) =>
            selectRows(db, 'SELECT * FROM conversations WHERE conversation_id = ?', [id]),
          ),
        }
      : {}),
  };
}

function storeInfo(db: DatabaseSync): AgentStoreInfo {
  const meta = selectRows(db, "SELECT * FROM schema_meta WHERE meta_key = 'primary'")[0];
  const userVersion = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  const baseRows: Record<string, JsonRow[]> = {};
  for (const table of BASE_TABLES) baseRows[table] = selectRows(db, `SELECT * FROM ${quoteIdent(table)} ORDER BY rowid`);
  return {
    layout: 'sqlite',
    schemaVersion: Number(meta?.schema_version ?? 0),
    appVersion: typeof meta?.app_version === 'string' ? meta.app_version : null,
    userVersion,
    baseRows,
    schema: schemaStatements(db),
  };
}

/**
 * Reads the sessions of one agent's SQLite store (read-only, inside one read transaction for a consistent view):
 * every one, or only those `keys` names (the others' transcripts are never loaded).
 */
export function readSqliteStore(
  dbPath: string,
  agentId: string,
  keys?: ReadonlySet<string>,
): { info: AgentStoreInfo; sessions: ExportedSession[] } {
  const db = openReadOnly(dbPath);
  try {
    db.exec('BEGIN');
    const info = storeInfo(db);
    const plan = planSessionTables(db);
    const nodes = selectRows(db, 'SELECT * FROM session_nodes ORDER BY session_key').filter(
      (node) => !keys || keys.has(String(node.session_key)),
    );
    const sessions = nodes.map((node): ExportedSession => {
      const key = String(node.session_key);
      const windows = readWindows(db, key);
      const rows = readSessionRows(
        db,
        key,
        windows.map((w) => w.sessionId),
        plan.tables,
      );
      const { entry_json: entryJson, ...nodeRow } = node;
      const packed = packJson(String(entryJson ?? '{}'));
      rows.session_nodes = [nodeRow];
      return {
        key,
        agentId,
        sessionId: String(node.current_session_id),
        ...('value' in packed ? { entry: packed.value } : { entryJson: packed.text }),
        windows,
        rows,
      };
    });
    db.exec('COMMIT');
    return { info, sessions };
  } finally {
    closeDatabase(db);
  }
}
