import { describe, expect, it } from 'vitest';
import type { ExportedSession } from '../../../src/core/sessions/document.js';
import { normalizeNewKey, renameSession } from '../../../src/core/sessions/rename-session.js';

const OLD = '7b0da69c-d3e2-47da-bfb7-1818e27e44da';
const NEW = '11111111-2222-4333-8444-555555555555';

function session(): ExportedSession {
  return {
    key: 'agent:main:main',
    agentId: 'main',
    sessionId: OLD,
    entry: { sessionId: OLD, systemPromptReport: { sessionKey: 'agent:main:main', sessionId: OLD } },
    windows: [
      {
        sessionId: OLD,
        row: { session_id: OLD, session_key: 'agent:main:main', parent_session_key: 'agent:main:main:thread:1' },
        events: [
          { seq: 0, event: { type: 'session', id: OLD } },
          { seq: 1, eventJson: `{"type":"custom","data":{"sessionId":"${OLD}"},"n":1.50}` },
        ],
      },
    ],
    rows: {
      session_nodes: [{ session_key: 'agent:main:main', current_session_id: OLD }],
      trajectory_runtime_events: [
        {
          session_id: OLD,
          seq: 0,
          event_json: JSON.stringify({ sessionKey: 'agent:main:main', nested: JSON.stringify({ k: 'agent:main:main' }) }),
        },
      ],
    },
  };
}

describe('renameSession (--as)', () => {
  it('renames the key wherever it is a whole JSON string, at any depth, and gives every window a fresh id', () => {
    const renamed = renameSession(session(), 'agent:main:copy', () => NEW);
    expect(renamed.key).toBe('agent:main:copy');
    expect(renamed.sessionId).toBe(NEW);
    expect(renamed.entry).toEqual({ sessionId: NEW, systemPromptReport: { sessionKey: 'agent:main:copy', sessionId: NEW } });
    expect(renamed.windows[0]!.row).toEqual({
      session_id: NEW,
      session_key: 'agent:main:copy',
      parent_session_key: 'agent:main:main:thread:1',
    });
    expect(renamed.windows[0]!.events[0]!.event).toEqual({ type: 'session', id: NEW });
    // Kept exactly as stored, number formatting included.
    expect(renamed.windows[0]!.events[1]!.eventJson).toBe(`{"type":"custom","data":{"sessionId":"${NEW}"},"n":1.50}`);
    expect(renamed.rows!.session_nodes).toEqual([{ session_key: 'agent:main:copy', current_session_id: NEW }]);
    const trajectory = JSON.parse(String(renamed.rows!.trajectory_runtime_events![0]!.event_json));
    expect(trajectory.sessionKey).toBe('agent:main:copy');
    expect(JSON.parse(trajectory.nested)).toEqual({ k: 'agent:main:copy' });
    expect(JSON.stringify(renamed)).not.toContain(OLD);
  });

  it('normalizes --as NAME to the agent, and refuses another agent, the same key or an unusable one', () => {
    expect(normalizeNewKey(session(), 'copy')).toBe('agent:main:copy');
    expect(normalizeNewKey(session(), 'agent:main:copy')).toBe('agent:main:copy');
    expect(() => normalizeNewKey(session(), 'agent:ops:copy')).toThrow(/must stay in agent "main"/);
    expect(() => normalizeNewKey(session(), 'agent:main:main')).toThrow(/the session's own key/);
    expect(() => normalizeNewKey(session(), 'a "b"')).toThrow(/not a usable session key/);
    expect(() => normalizeNewKey(session(), 'agent:main:')).toThrow(/must stay in agent/);
  });

  it('refuses a legacy-store session and a session id that is not a UUID', () => {
    const legacy = { ...session(), rows: undefined };
    expect(() => renameSession(legacy, 'agent:main:copy')).toThrow(/legacy store/);
    const odd = { ...session(), sessionId: 'sess-1', windows: [{ sessionId: 'sess-1', events: [] }] };
    expect(() => renameSession(odd, 'agent:main:copy')).toThrow(/not a UUID/);
  });
});
