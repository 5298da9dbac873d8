import { readLegacyStore } from './legacy-store.js';
import { summarizeSqliteStore } from './sqlite-summary.js';
import { chooseAgents, locateAgentStore } from './stores.js';
import { summarizeSession, type SessionSummary } from './summarize.js';

export type { SessionSummary } from './summarize.js';

export interface ListSessionsOptions {
  stateDir: string;
  openclaw: Record<string, unknown>;
  agent?: string | undefined;
}

/**
 * Every session of the state (or of one agent), newest update first: what `sessions export` takes as keys. A SQLite
 * store is summarized in SQL (event counts, no transcript loaded); a legacy store's transcripts are counted by line.
 */
export function listSessions(options: ListSessionsOptions): SessionSummary[] {
  const found: SessionSummary[] = [];
  for (const agentId of chooseAgents(options.stateDir, options.openclaw, options.agent)) {
    const store = locateAgentStore(options.stateDir, options.openclaw, agentId);
    if (store.layout === 'sqlite') found.push(...summarizeSqliteStore(store.dbPath, agentId));
    else if (store.layout === 'legacy') {
      for (const session of readLegacyStore(store.sessionsDir, agentId)) {
        const events = session.windows.reduce((n, w) => n + w.events.length, 0);
        found.push(summarizeSession({ key: session.key, agentId, sessionId: session.sessionId, entry: session.entry, events }));
      }
    }
  }
  return found.sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '') || a.key.localeCompare(b.key));
}
