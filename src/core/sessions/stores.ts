/*
 * The sessions module: OpenClaw's session stores (WAL-mode SQLite, and the legacy sessions.json with transcripts).
 * It lists, exports and imports conversations, in the live state or in a backup read through the reader.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import type { StoreLayout } from './document.js';

export const AGENT_DB_NAME = 'openclaw-agent.sqlite';
export const LEGACY_INDEX = 'sessions.json';

export interface AgentStore {
  agentId: string;
  layout: StoreLayout | 'none';
  /** The SQLite store (whether or not it exists yet). */
  dbPath: string;
  /** The legacy sessions dir (agents/<id>/sessions). */
  sessionsDir: string;
}

function configuredAgents(openclaw: Record<string, unknown>): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const agents = (openclaw.agents ?? {}) as Record<string, unknown>;
  const entries = agents.entries;
  if (entries && typeof entries === 'object' && !Array.isArray(entries)) {
    for (const [id, entry] of Object.entries(entries as Record<string, unknown>)) {
      const agentDir = (entry as Record<string, unknown> | null)?.agentDir;
      out.set(id, typeof agentDir === 'string' ? agentDir : undefined);
    }
  }
  if (Array.isArray(agents.list)) {
    for (const entry of agents.list as Array<Record<string, unknown>>) {
      if (typeof entry?.id === 'string') out.set(entry.id, typeof entry.agentDir === 'string' ? entry.agentDir : undefined);
    }
  }
  return out;
}

/** Agent ids this state knows: configured ones and every agents/<id> dir; "main" when none is configured. */
export function listAgentIds(stateDir: string, openclaw: Record<string, unknown>): string[] {
  const ids = new Set(configuredAgents(openclaw).keys());
  try {
    for (const dirent of fs.readdirSync(path.join(stateDir, 'agents'), { withFileTypes: true }))
      if (dirent.isDirectory()) ids.add(dirent.name);
  } catch {
    // no agents dir yet
  }
  if (ids.size === 0) ids.add('main');
  return [...ids].sort();
}

/** The agents a command reads: the one `--agent` names (which must exist), else every agent of the state. */
export function chooseAgents(stateDir: string, openclaw: Record<string, unknown>, agent: string | undefined): string[] {
  const known = listAgentIds(stateDir, openclaw);
  if (agent === undefined) return known;
  if (!known.includes(agent)) throw new UsageError(`unknown agent "${agent}" (known agents: ${known.join(', ')})`);
  return [agent];
}

/**
 * Where an agent's sessions live. The configured agentDir wins when it exists (a restored state may still name the old
 * home); SQLite wins over legacy files, as in OpenClaw 2026.9.x, which migrates legacy stores into SQLite.
 */
export function locateAgentStore(stateDir: string, openclaw: Record<string, unknown>, agentId: string): AgentStore {
  const configured = configuredAgents(openclaw).get(agentId);
  const defaultDir = path.join(stateDir, 'agents', agentId, 'agent');
  const agentDir = configured && fs.existsSync(configured) ? configured : defaultDir;
  const dbPath = path.join(agentDir, AGENT_DB_NAME);
  const sessionsDir = path.join(stateDir, 'agents', agentId, 'sessions');
  const layout: AgentStore['layout'] = fs.existsSync(dbPath)
    ? 'sqlite'
    : fs.existsSync(path.join(sessionsDir, LEGACY_INDEX))
      ? 'legacy'
      : 'none';
  return { agentId, layout, dbPath, sessionsDir };
}
