import { collectSessions } from './export-sessions.js';
import type { ExportedSession } from './document.js';

export interface SessionSummary {
  key: string;
  agentId: string;
  sessionId: string;
  /** Last update (ISO) as OpenClaw recorded it, or null when the entry does not say. */
  updatedAt: string | null;
  /** Transcript events over every window of the session. */
  events: number;
  label: string | null;
}

function updatedAtOf(session: ExportedSession): string | null {
  const entry = session.entry as Record<string, unknown> | undefined;
  const node = session.rows?.session_nodes?.[0] as Record<string, unknown> | undefined;
  for (const value of [entry?.updatedAt, node?.updated_at, entry?.lastInteractionAt]) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    if (Number.isFinite(n) && n > 0) return new Date(n).toISOString();
  }
  return null;
}

function labelOf(session: ExportedSession): string | null {
  const entry = session.entry as Record<string, unknown> | undefined;
  const node = session.rows?.session_nodes?.[0] as Record<string, unknown> | undefined;
  for (const value of [node?.display_name, node?.label, entry?.displayName, entry?.label])
    if (typeof value === 'string' && value) return value;
  return null;
}

/** Every session of the state (or of one agent), newest update first: what `sessions export` takes as keys. */
export function listSessions(options: {
  stateDir: string;
  openclaw: Record<string, unknown>;
  agent?: string | undefined;
}): SessionSummary[] {
  const { sessions } = collectSessions(options);
  return sessions
    .map((session) => ({
      key: session.key,
      agentId: session.agentId,
      sessionId: session.sessionId,
      updatedAt: updatedAtOf(session),
      events: session.windows.reduce((n, w) => n + w.events.length, 0),
      label: labelOf(session),
    }))
    .sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '') || a.key.localeCompare(b.key));
}
