import { BackupError, UsageError } from '../../errors.js';
import { SESSIONS_FORMAT, SESSIONS_VERSION, type AgentStoreInfo, type ExportedSession, type SessionsDocument } from './document.js';
import { readLegacyStore } from './legacy-store.js';
import { readSqliteStore } from './sqlite-read.js';
import { listAgentIds, locateAgentStore } from './stores.js';

export interface ExportSessionsOptions {
  stateDir: string;
  openclaw: Record<string, unknown>;
  /** Session keys to export; empty or undefined with `all` exports every session. */
  keys?: string[];
  all?: boolean;
  agent?: string;
}

/** Reads every session of the chosen agents, whatever layout each store has. */
export function collectSessions(options: Pick<ExportSessionsOptions, 'stateDir' | 'openclaw' | 'agent'>): {
  agents: Record<string, AgentStoreInfo>;
  sessions: ExportedSession[];
} {
  const known = listAgentIds(options.stateDir, options.openclaw);
  if (options.agent !== undefined && !known.includes(options.agent)) {
    throw new UsageError(`unknown agent "${options.agent}" (known agents: ${known.join(', ')})`);
  }
  const agents: Record<string, AgentStoreInfo> = {};
  const sessions: ExportedSession[] = [];
  for (const agentId of options.agent ? [options.agent] : known) {
    const store = locateAgentStore(options.stateDir, options.openclaw, agentId);
    if (store.layout === 'sqlite') {
      const read = readSqliteStore(store.dbPath, agentId);
      agents[agentId] = read.info;
      sessions.push(...read.sessions);
    } else if (store.layout === 'legacy') {
      agents[agentId] = { layout: 'legacy' };
      sessions.push(...readLegacyStore(store.sessionsDir, agentId));
    }
  }
  return { agents, sessions };
}

/** Builds the sessions document: the named keys, or every session with `all`. Unknown keys fail listing the known ones. */
export function exportSessions(options: ExportSessionsOptions): SessionsDocument {
  const { agents, sessions } = collectSessions(options);
  const keys = options.keys ?? [];
  if (!options.all && keys.length === 0) throw new UsageError('name a session key or pass --all');
  let chosen = sessions;
  if (!options.all) {
    const known = sessions.map((s) => s.key);
    const missing = keys.filter((k) => !known.includes(k));
    if (missing.length) {
      throw new BackupError(
        'failure',
        `unknown session key ${missing.map((k) => `"${k}"`).join(', ')}; known keys: ${known.length ? known.join(', ') : '(none)'}`,
        {
          details: { knownKeys: known },
        },
      );
    }
    chosen = sessions.filter((s) => keys.includes(s.key));
  }
  const used = new Set(chosen.map((s) => s.agentId));
  const chosenAgents = Object.fromEntries(Object.entries(agents).filter(([id]) => options.all || used.has(id)));
  return { format: SESSIONS_FORMAT, version: SESSIONS_VERSION, agents: chosenAgents, sessions: chosen };
}
