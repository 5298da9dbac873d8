import { randomUUID } from 'node:crypto';
import { UsageError } from '../../errors.js';
import type { ExportedSession } from './document.js';
import { agentOfKey } from './backup-entries.js';

/** A key or id that JSON writes as it is (no quote, backslash or control character to escape). */
const PLAIN = /^[^"\\\u0000-\u001f\u007f]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces every JSON string equal to `from`, at any depth of JSON kept inside JSON strings (`"k"`, `\"k\"`,
 * `\\\"k\\\"`…): the key inside entry_json or a trajectory event is renamed, a longer key that starts with it is not.
 */
function replaceValue(text: string, from: string, to: string): string {
  const pattern = new RegExp(`(\\\\*)"${escapeRegExp(from)}(\\\\*)"`, 'g');
  return text.replace(pattern, (match, before: string, after: string) =>
    before.length === after.length ? `${before}"${to}${after}"` : match,
  );
}

/** `--as notes-old` means `agent:<the session's agent>:notes-old`; a full key must stay in the session's agent. */
export function normalizeNewKey(session: ExportedSession, newKey: string): string {
  const key = newKey.startsWith('agent:') ? newKey : `agent:${session.agentId}:${newKey}`;
  if (!PLAIN.test(key) || /\s/.test(key))
    throw new UsageError(`--as: "${newKey}" is not a usable session key (no spaces, quotes or backslashes)`);
  if (agentOfKey(key) !== session.agentId || key === `agent:${session.agentId}:`)
    throw new UsageError(
      `--as ${newKey}: the new key must stay in agent "${session.agentId}" (agent:${session.agentId}:<name>); to move a session to another agent, use sessions export and sessions import --agent`,
    );
  if (key === session.key) throw new UsageError(`--as ${newKey}: that is the session's own key; leave --as out, or name a new key`);
  return key;
}

/**
 * A copy of a session under another key, with fresh session ids: OpenClaw's session ids are unique in a store, so
 * the copy can live beside the session it was taken from. The key is renamed wherever it is a whole JSON string
 * (columns, entry, trajectory events); each session id (a UUID) wherever it occurs, transcript events included,
 * so the copy's first event still names its own session.
 */
export function renameSession(session: ExportedSession, newKey: string, newId: () => string = randomUUID): ExportedSession {
  if (session.rows?.session_nodes === undefined)
    throw new UsageError(`--as: session ${session.key} comes from a legacy store; --as renames sessions of OpenClaw's SQLite store only`);
  if (!PLAIN.test(session.key)) throw new UsageError(`--as: session key ${JSON.stringify(session.key)} cannot be renamed`);
  const ids = new Set([session.sessionId, ...session.windows.map((w) => w.sessionId)]);
  let text = JSON.stringify(session);
  for (const id of ids) {
    if (!UUID.test(id))
      throw new UsageError(`--as: session ${session.key} has a session id that is not a UUID ("${id}"); it cannot be renamed`);
    text = text.split(id).join(newId());
  }
  text = replaceValue(text, session.key, newKey);
  return JSON.parse(text) as ExportedSession;
}
