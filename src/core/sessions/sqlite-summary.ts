import { closeDatabase, openReadOnly, selectRows } from './sqlite-db.js';
import { summarizeSession, type SessionSummary } from './summarize.js';

function parseEntry(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Every session of one agent's SQLite store with its event count, counted in SQL: no transcript is loaded, so a
 * listing costs the same whatever the conversations hold. One read transaction, read-only.
 */
export function summarizeSqliteStore(dbPath: string, agentId: string): SessionSummary[] {
  const db = openReadOnly(dbPath);
  try {
    db.exec('BEGIN');
    const counts = new Map(
      selectRows(
        db,
        `SELECT w.session_key AS key, count(e.session_id) AS events
           FROM session_windows w LEFT JOIN transcript_events e ON e.session_id = w.session_id
          GROUP BY w.session_key`,
      ).map((row) => [String(row.key), Number(row.events)]),
    );
    const summaries = selectRows(db, 'SELECT * FROM session_nodes ORDER BY session_key').map((node) => {
      const key = String(node.session_key);
      return summarizeSession({
        key,
        agentId,
        sessionId: String(node.current_session_id),
        entry: parseEntry(node.entry_json),
        node,
        events: counts.get(key) ?? 0,
      });
    });
    db.exec('COMMIT');
    return summaries;
  } finally {
    closeDatabase(db);
  }
}
