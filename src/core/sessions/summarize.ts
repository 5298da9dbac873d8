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

export interface SessionFacts {
  key: string;
  agentId: string;
  sessionId: string;
  /** The entry OpenClaw keeps (entry_json, or the sessions.json value). */
  entry: unknown;
  /** The session_nodes row (SQLite layout). */
  node?: Record<string, unknown> | undefined;
  events: number;
}

function updatedAtOf(entry: Record<string, unknown> | undefined, node: Record<string, unknown> | undefined): string | null {
  for (const value of [entry?.updatedAt, node?.updated_at, entry?.lastInteractionAt]) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    if (Number.isFinite(n) && n > 0) return new Date(n).toISOString();
  }
  return null;
}

function labelOf(entry: Record<string, unknown> | undefined, node: Record<string, unknown> | undefined): string | null {
  for (const value of [node?.display_name, node?.label, entry?.displayName, entry?.label])
    if (typeof value === 'string' && value) return value;
  return null;
}

/** One line of `sessions list`: key, agent, last update, events, label. */
export function summarizeSession(facts: SessionFacts): SessionSummary {
  const entry = facts.entry && typeof facts.entry === 'object' ? (facts.entry as Record<string, unknown>) : undefined;
  return {
    key: facts.key,
    agentId: facts.agentId,
    sessionId: facts.sessionId,
    updatedAt: updatedAtOf(entry, facts.node),
    events: facts.events,
    label: labelOf(entry, facts.node),
  };
}
