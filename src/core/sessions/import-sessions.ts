import { ConfigError } from '../../errors.js';
import { assertGatewayStopped } from '../gateway/detect.js';
import { SESSIONS_FORMAT, SESSIONS_VERSION, sessionsDocumentSchema, type ExportedSession, type SessionsDocument } from './document.js';
import { legacyKeys, writeLegacyStore } from './legacy-store.js';
import { parseVersionedDocument } from './parse-document.js';
import { listAgentIds, locateAgentStore } from './stores.js';
import { resolveConflicts, type OnConflict } from './conflicts.js';
import { writeSqliteStore } from './sqlite-write.js';

export function parseSessionsDocument(text: string, source: string): SessionsDocument {
  const doc = parseVersionedDocument(text, source, SESSIONS_FORMAT, SESSIONS_VERSION, sessionsDocumentSchema) as SessionsDocument;
  for (const session of doc.sessions) {
    if (!doc.agents[session.agentId])
      throw new ConfigError(
        `${source}: session ${session.key} names agent "${session.agentId}", which the document's "agents" does not describe`,
      );
  }
  return doc;
}

export interface ImportSessionsOptions {
  stateDir: string;
  openclaw: Record<string, unknown>;
  doc: SessionsDocument;
  /** Import every session into this agent instead of the one it came from. */
  agent?: string;
  onConflict: OnConflict;
  dryRun: boolean;
  /** What the conflict error suggests (default: the --on-conflict choices). */
  conflictHint?: string | undefined;
  /** What the gateway refusal calls the command (default: "import sessions"). */
  action?: string | undefined;
}

export interface AgentImportResult {
  agentId: string;
  layout: 'sqlite' | 'legacy';
  imported: string[];
  skipped: string[];
  replaced: string[];
  created: boolean;
}

/** agent:<from>:rest → agent:<to>:rest in every *session_key column and the key itself. */
function moveToAgent(session: ExportedSession, to: string): ExportedSession {
  const from = `agent:${session.agentId}:`;
  const remap = (value: unknown) =>
    typeof value === 'string' && value.startsWith(from) ? `agent:${to}:${value.slice(from.length)}` : value;
  const rows = Object.fromEntries(
    Object.entries(session.rows ?? {}).map(([table, list]) => [
      table,
      list.map((row) =>
        Object.fromEntries(Object.entries(row).map(([col, v]) => [col, col.endsWith('session_key') ? (remap(v) as typeof v) : v])),
      ),
    ]),
  );
  const windows = session.windows.map((w) => (w.row ? { ...w, row: { ...w.row, session_key: remap(w.row.session_key) as string } } : w));
  return { ...session, key: remap(session.key) as string, agentId: to, windows, ...(session.rows ? { rows } : {}) };
}

async function importAgent(
  options: ImportSessionsOptions,
  agentId: string,
  sourceAgent: string,
  sessions: ExportedSession[],
  dryRun: boolean,
): Promise<AgentImportResult> {
  const info = options.doc.agents[sourceAgent]!;
  const store = locateAgentStore(options.stateDir, options.openclaw, agentId);
  const target = store.layout === 'none' ? info.layout : store.layout;
  if (target !== info.layout) {
    throw new ConfigError(
      `agent "${agentId}" keeps sessions in the ${store.layout} layout but the document's sessions come from a ${info.layout} store; ` +
        (info.layout === 'legacy'
          ? 'import them into a state with the legacy layout and let "openclaw doctor --fix" migrate it'
          : 'use a state made by the same OpenClaw version'),
    );
  }
  if (target === 'sqlite') {
    const result = await writeSqliteStore({
      dbPath: store.dbPath,
      agentId,
      info,
      sessions,
      onConflict: options.onConflict,
      conflictHint: options.conflictHint,
      dryRun,
    });
    return { agentId, layout: 'sqlite', ...result };
  }
  const existing = new Set(legacyKeys(store.sessionsDir));
  const conflicts = sessions.filter((s) => existing.has(s.key)).map((s) => s.key);
  const { todo, skipped, replaced } = resolveConflicts(agentId, sessions, conflicts, options.onConflict, options.conflictHint);
  if (!dryRun) await writeLegacyStore(store.sessionsDir, todo, new Set(replaced));
  return { agentId, layout: 'legacy', imported: todo.map((s) => s.key), skipped, replaced, created: store.layout === 'none' };
}

/**
 * Imports a sessions document. Every agent is checked first (known agent, same layout and schema, conflicts), then
 * each agent's store is written in one transaction. Refuses while the gateway runs: only it writes its databases then.
 */
export async function importSessions(options: ImportSessionsOptions): Promise<AgentImportResult[]> {
  const known = listAgentIds(options.stateDir, options.openclaw);
  const groups = new Map<string, { source: string; sessions: ExportedSession[] }>();
  for (const session of options.doc.sessions) {
    const agentId = options.agent ?? session.agentId;
    if (!known.includes(agentId)) {
      throw new ConfigError(
        options.agent !== undefined
          ? `--agent ${agentId}: this state has no agent "${agentId}" (known agents: ${known.join(', ')}); the document's sessions are agent "${session.agentId}"'s`
          : `the document's sessions belong to agent "${agentId}", which this state does not have (known agents: ${known.join(', ')}); choose one with --agent`,
      );
    }
    const group = groups.get(agentId) ?? { source: session.agentId, sessions: [] };
    if (group.source !== session.agentId)
      throw new ConfigError(
        `--agent ${agentId}: the document mixes sessions of agents "${group.source}" and "${session.agentId}"; import them one agent at a time`,
      );
    group.sessions.push(options.agent ? moveToAgent(session, agentId) : session);
    groups.set(agentId, group);
  }
  if (!options.dryRun)
    await assertGatewayStopped({ stateDir: options.stateDir, openclaw: options.openclaw, action: options.action ?? 'import sessions' });
  const plans: AgentImportResult[] = [];
  for (const [agentId, group] of groups) plans.push(await importAgent(options, agentId, group.source, group.sessions, true));
  if (options.dryRun) return plans;
  const results: AgentImportResult[] = [];
  for (const [agentId, group] of groups) results.push(await importAgent(options, agentId, group.source, group.sessions, false));
  return results;
}
