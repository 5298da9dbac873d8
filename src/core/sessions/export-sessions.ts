import { BackupError, UsageError } from '../../errors.js';
import { SESSIONS_FORMAT, SESSIONS_VERSION, type AgentStoreInfo, type ExportedSession, type SessionsDocument } from './document.js';
import { readLegacyStore } from './legacy-store.js';
import { readSqliteStore } from './sqlite-read.js';
import { listSessions } from './list-sessions.js';
import { chooseAgents, locateAgentStore } from './stores.js';

export interface ExportSessionsOptions {
  stateDir: string;
  openclaw: Record<string, unknown>;
  /** Session keys to export; empty or undefined with `all` exports every session. */
  keys?: string[];
  all?: boolean;
  agent?: string;
}

/**
 * Reads the sessions of the chosen agents, whatever layout each store has: every one, or only those `keys` names
 * (the other sessions' transcripts are not loaded).
 */
export function collectSessions(
  options: Pick<ExportSessionsOptions, 'stateDir' | 'openclaw' | 'agent'> & { keys?: ReadonlySet<string> | undefined },
): {
  agents: Record<string, AgentStoreInfo>;
  sessions: ExportedSession[];
} {
  const agents: Record<string, AgentStoreInfo> = {};
  const sessions: ExportedSession[] = [];
  for (const agentId of chooseAgents(options.stateDir, options.openclaw, options.agent)) {
    const store = locateAgentStore(options.stateDir, options.openclaw, agentId);
    if (store.layout === 'sqlite') {
      const read = readSqliteStore(store.dbPath, agentId, options.keys);
      agents[agentId] = read.info;
      sessions.push(...read.sessions);
    } else if (store.layout === 'legacy') {
      agents[agentId] = { layout: 'legacy' };
      sessions.push(...readLegacyStore(store.sessionsDir, agentId).filter((s) => !options.keys || options.keys.has(s.key)));
    }
  }
  return { agents, sessions };
}

/** An unknown session key: exit 1, naming the keys the state (or backup) does hold. */
export function unknownKeysError(missing: string[], known: string[], where?: string): BackupError {
  const listed = known.length ? known.join(', ') : '(none)';
  return new BackupError(
    'failure',
    `unknown session key ${missing.map((k) => `"${k}"`).join(', ')}${where ? ` in ${where}` : ''}; known keys: ${listed}`,
    { details: { knownKeys: known } },
  );
}

/** Builds the sessions document: the named keys, or every session with `all`. Unknown keys fail listing the known ones. */
export function exportSessions(options: ExportSessionsOptions & { where?: string | undefined }): SessionsDocument {
  const keys = options.keys ?? [];
  if (!options.all && keys.length === 0) throw new UsageError('name a session key or pass --all');
  if (!options.all) {
    const known = listSessions(options)
      .map((s) => s.key)
      .sort();
    const missing = keys.filter((k) => !known.includes(k));
    if (missing.length) throw unknownKeysError(missing, known, options.where);
  }
  const { agents, sessions } = collectSessions({ ...options, keys: options.all ? undefined : new Set(keys) });
  const used = new Set(sessions.map((s) => s.agentId));
  const chosenAgents = Object.fromEntries(Object.entries(agents).filter(([id]) => options.all || used.has(id)));
  return { format: SESSIONS_FORMAT, version: SESSIONS_VERSION, agents: chosenAgents, sessions };
}
