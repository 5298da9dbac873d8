import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openclaw, parseJsonOutput, type ClawHome } from './openclaw.js';

export interface AgentTurn {
  ok: boolean;
  ms: number;
  sessionKey?: string;
  sessionId?: string;
  text: string;
  /** Exit code and output tail when the turn failed. */
  error?: string;
}

interface AgentJson {
  status?: string;
  result?: { payloads?: { text?: string }[]; meta?: { agentMeta?: { sessionId?: string }; systemPromptReport?: { sessionKey?: string } } };
}

/** One real turn through the gateway: `openclaw agent --agent main --message … --json`, timed. */
export async function agentTurn(h: ClawHome, message: string, sessionKey?: string): Promise<AgentTurn> {
  const args = ['agent', '--agent', 'main', '--message', message, '--json', '--timeout', '150'];
  if (sessionKey) args.push('--session-key', sessionKey);
  const result = await openclaw(h, args, 200_000);
  if (result.code !== 0) {
    return { ok: false, ms: result.ms, text: '', error: `exit ${result.code ?? result.signal}: ${(result.stderr || result.stdout).slice(-1500)}` };
  }
  const json = parseJsonOutput<AgentJson>(result.stdout);
  const meta = json.result?.meta;
  return {
    ok: json.status === 'ok',
    ms: result.ms,
    text: (json.result?.payloads ?? []).map((p) => p.text ?? '').join('\n'),
    ...(meta?.systemPromptReport?.sessionKey ? { sessionKey: meta.systemPromptReport.sessionKey } : {}),
    ...(meta?.agentMeta?.sessionId ? { sessionId: meta.agentMeta.sessionId } : {}),
  };
}

export interface ListedSession {
  key: string;
  sessionId: string;
}

/** What `openclaw sessions --json` lists. */
export async function listSessions(h: ClawHome): Promise<ListedSession[]> {
  const result = await openclaw(h, ['sessions', '--json']);
  if (result.code !== 0) throw new Error(`openclaw sessions --json exited ${result.code}: ${result.stderr.slice(-1500)}`);
  const json = parseJsonOutput<{ sessions?: ListedSession[] }>(result.stdout);
  return (json.sessions ?? []).map((s) => ({ key: s.key, sessionId: s.sessionId })).sort((a, b) => a.key.localeCompare(b.key));
}

export function agentDatabase(stateDir: string, agent = 'main'): string {
  return path.join(stateDir, 'agents', agent, 'agent', 'openclaw-agent.sqlite');
}

/** Transcript events per session key (its current session), read-only from the agent database. */
export function transcriptCounts(stateDir: string, agent = 'main'): Record<string, number> {
  const db = new DatabaseSync(agentDatabase(stateDir, agent), { readOnly: true, timeout: 10_000 });
  try {
    const rows = db.prepare(
      `SELECT n.session_key AS key, (SELECT count(*) FROM transcript_events t WHERE t.session_id = n.current_session_id) AS events
       FROM session_nodes n ORDER BY n.session_key`,
    ).all() as { key: string; events: number }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.events]));
  } finally {
    db.close();
  }
}
