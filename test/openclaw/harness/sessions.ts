import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openclaw, parseJsonOutput, type ClawHome } from './openclaw.js';

export interface AgentTurn {
  ok: boolean;
  ms: number;
  sessionKey?: string;
  sessionId?: string;
  text: string;
  /** The workspace the agent ran in (from OpenClaw's system prompt report). */
  workspaceDir?: string;
  /** Exit code and output tail when the turn failed. */
  error?: string;
}

interface AgentResult {
  payloads?: { text?: string }[];
  meta?: { agentMeta?: { sessionId?: string }; systemPromptReport?: { sessionKey?: string; workspaceDir?: string } };
}

/** Through the gateway the result is wrapped ({ status, result }); `--local` prints the result itself. */
interface AgentJson extends AgentResult {
  status?: string;
  result?: AgentResult;
}

export interface TurnOptions {
  sessionKey?: string;
  /** `--local`: run the embedded agent without a gateway (makes sessions for a state whose gateway is not started). */
  local?: boolean;
}

/** One real turn: `openclaw agent --agent main --message … --json`, through the gateway unless `local`, timed. */
export async function agentTurn(h: ClawHome, message: string, options: TurnOptions = {}): Promise<AgentTurn> {
  const args = ['agent', '--agent', 'main', '--message', message, '--json', '--timeout', '150'];
  if (options.sessionKey) args.push('--session-key', options.sessionKey);
  if (options.local) args.push('--local');
  const result = await openclaw(h, args, 200_000);
  if (result.code !== 0) {
    return {
      ok: false,
      ms: result.ms,
      text: '',
      error: `exit ${result.code ?? result.signal}: ${(result.stderr || result.stdout).slice(-1500)}`,
    };
  }
  const json = parseJsonOutput<AgentJson>(result.stdout);
  const run = json.result ?? json;
  const meta = run.meta;
  return {
    ok: (json.status ?? 'ok') === 'ok',
    ms: result.ms,
    text: (run.payloads ?? []).map((p) => p.text ?? '').join('\n'),
    ...(meta?.systemPromptReport?.sessionKey ? { sessionKey: meta.systemPromptReport.sessionKey } : {}),
    ...(meta?.agentMeta?.sessionId ? { sessionId: meta.agentMeta.sessionId } : {}),
    ...(meta?.systemPromptReport?.workspaceDir ? { workspaceDir: meta.systemPromptReport.workspaceDir } : {}),
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

function collectSessionKeys(value: unknown, keys: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) collectSessionKeys(item, keys);
  else if (value && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) {
      if (name === 'key' && typeof item === 'string' && item.startsWith('agent:')) keys.add(item);
      else collectSessionKeys(item, keys);
    }
  }
}

/** The session keys the running gateway itself reports (`openclaw gateway call sessions.list`). */
export async function gatewaySessionKeys(h: ClawHome, port: number): Promise<string[]> {
  const result = await openclaw(h, ['gateway', 'call', 'sessions.list', '--json', '--port', String(port), '--timeout', '60000']);
  if (result.code !== 0)
    throw new Error(`openclaw gateway call sessions.list exited ${result.code}: ${(result.stderr || result.stdout).slice(-1500)}`);
  const keys = new Set<string>();
  collectSessionKeys(parseJsonOutput<unknown>(result.stdout), keys);
  return [...keys].sort();
}

export function agentDatabase(stateDir: string, agent = 'main'): string {
  return path.join(stateDir, 'agents', agent, 'agent', 'openclaw-agent.sqlite');
}

/** Transcript events per session key (its current session), read-only from the agent database. */
export function transcriptCounts(stateDir: string, agent = 'main'): Record<string, number> {
  const db = new DatabaseSync(agentDatabase(stateDir, agent), { readOnly: true, timeout: 10_000 });
  try {
    const rows = db
      .prepare(
        `SELECT n.session_key AS key, (SELECT count(*) FROM transcript_events t WHERE t.session_id = n.current_session_id) AS events
       FROM session_nodes n ORDER BY n.session_key`,
      )
      .all() as { key: string; events: number }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.events]));
  } finally {
    db.close();
  }
}
