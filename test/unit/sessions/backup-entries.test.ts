import { describe, expect, it } from 'vitest';
import { agentsOfKeys, sessionEntrySelector } from '../../../src/core/sessions/backup-entries.js';

describe('sessionEntrySelector: the archive names a sessions read needs', () => {
  const every = sessionEntrySelector();
  it.each([
    ['openclaw-backup/state/agents/main/agent/openclaw-agent.sqlite', true],
    ['openclaw-backup/state/agents/ops/agent/openclaw-agent.sqlite', true],
    ['openclaw-backup/external/2/openclaw-agent.sqlite', true],
    ['openclaw-backup/state/agents/main/sessions/sessions.json', true],
    ['openclaw-backup/state/agents/main/sessions/sess-1.jsonl', true],
    ['home/ada/.openclaw/agents/main/agent/openclaw-agent.sqlite', true],
    ['home/ada/.openclaw/agents/main/agent/openclaw-agent.sqlite-wal', true],
    ['2026-11-21T19-48-49.877Z-openclaw-backup/payload/posix/home/openclaw/.openclaw/agents/main/agent/openclaw-agent.sqlite', true],
    ['openclaw-backup/state/agents/main/agent/openclaw-agent.sqlite-shm', false],
    ['openclaw-backup/state/agents/main/agent/auth-profiles.json', false],
    ['openclaw-backup/state/agents/main/sessions/archive/old.jsonl', false],
    ['openclaw-backup/state/agents/main/sessions/sessions.json.bak', false],
    ['openclaw-backup/state/state/openclaw.sqlite', false],
    ['openclaw-backup/state/openclaw.json', false],
    ['openclaw-backup/state/workspace/MEMORY.md', false],
    ['openclaw-backup/external/2/notes/openclaw-agent.sqlite', false],
  ])('%s → %s', (name, wanted) => {
    expect(every(name)).toBe(wanted);
  });

  it('with agents named, leaves the other agents out (an agent dir outside the state is always read: its name does not say)', () => {
    const main = sessionEntrySelector(new Set(['main']));
    expect(main('openclaw-backup/state/agents/main/agent/openclaw-agent.sqlite')).toBe(true);
    expect(main('openclaw-backup/state/agents/ops/agent/openclaw-agent.sqlite')).toBe(false);
    expect(main('openclaw-backup/state/agents/ops/sessions/sessions.json')).toBe(false);
    expect(main('openclaw-backup/external/1/openclaw-agent.sqlite')).toBe(true);
  });

  it('agentsOfKeys reads the agent from agent:<id>:… keys, and gives up (every agent) on any other key', () => {
    expect(agentsOfKeys(['agent:main:main', 'agent:ops:x', 'agent:main:y'])).toEqual(new Set(['main', 'ops']));
    expect(agentsOfKeys(['agent:main:main', 'global'])).toBeUndefined();
  });
});
