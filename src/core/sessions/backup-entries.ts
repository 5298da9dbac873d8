import type { EntrySelect } from '../reader/entry-stream.js';
import { AGENT_DB_NAME, LEGACY_INDEX } from './stores.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const DB = escape(AGENT_DB_NAME);
/** An agent database in a state tree, whatever the format puts before it (ours, native payload, a hand-made prefix). */
const STATE_DB = new RegExp(`(?:^|/)agents/([^/]+)/agent/${DB}(?:-wal)?$`);
/** A legacy store: the index and its transcripts, directly in agents/<id>/sessions/. */
const LEGACY_FILE = new RegExp(`(?:^|/)agents/([^/]+)/sessions/(?:${escape(LEGACY_INDEX)}|[^/]+\\.jsonl)$`);
/** The database at the top of an agent dir that lived outside the state dir (our format: its own root). */
const OUTSIDE_DB = new RegExp(`^openclaw-backup/external/[^/]+/${DB}(?:-wal)?$`);

/**
 * The archive names a sessions read needs: agent databases (with a `-wal` a hand-made tar may hold beside one) and
 * legacy index and transcript files — of every agent, or of `agents` only. Everything else stays unread in a
 * repository (an archive file is read whole anyway, but only these are written out). The documents always come.
 */
export function sessionEntrySelector(agents?: ReadonlySet<string>): EntrySelect {
  const wanted = (id: string | undefined) => id !== undefined && (!agents || agents.has(id));
  return (name) => {
    if (OUTSIDE_DB.test(name)) return true;
    return wanted(STATE_DB.exec(name)?.[1]) || wanted(LEGACY_FILE.exec(name)?.[1]);
  };
}

/** The agent a session key belongs to (`agent:<id>:…`), when it says. */
export function agentOfKey(key: string): string | undefined {
  return /^agent:([^:]+):/.exec(key)?.[1];
}

/** The agents these keys belong to, or undefined (read every agent) when one of them does not say. */
export function agentsOfKeys(keys: string[]): Set<string> | undefined {
  const agents = keys.map(agentOfKey);
  return agents.every((a): a is string => a !== undefined) ? new Set(agents) : undefined;
}
