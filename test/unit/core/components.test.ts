import { describe, expect, it } from 'vitest';
import {
  buildSelection,
  classifyStatePath,
  classifyWorkspacePath,
  isNeverArchived,
  isSelected,
  parseComponentList,
} from '../../../src/core/components.js';
import { UsageError } from '../../../src/errors.js';

describe('classifyStatePath', () => {
  it.each([
    ['openclaw.json', 'config'],
    ['openclaw.json.bak.2', 'config'],
    ['credentials/whatsapp/creds.json', 'credentials'],
    ['.env', 'credentials'],
    ['config-journal-fingerprint.key', 'credentials'],
    ['state/openclaw.sqlite', 'credentials'],
    ['agents/main/agent/auth-profiles.json', 'credentials'],
    ['agents/main/agent/openclaw-agent.sqlite', 'sessions'],
    ['agents/main/sessions/sessions.json', 'sessions'],
    ['agents/main/sessions/abc.jsonl', 'sessions'],
    ['memory/main.sqlite', 'memory'],
    ['workspace/MEMORY.md', 'memory'],
    ['workspace/memory/2026-11-20.md', 'memory'],
    ['workspace/SOUL.md', 'workspace'],
    ['workspace/.git/config', 'workspace'],
    ['logs/gateway.log', 'logs'],
    ['cache/control-ui-assets/index.js', 'cache'],
    ['state/openclaw-quarantine.sqlite', 'state'],
    ['media/outbound/a.png', 'state'],
    ['plugin-skills/canvas', 'state'],
  ])('%s → %s', (rel, component) => {
    expect(classifyStatePath(rel)).toBe(component);
  });

  it('follows a workspace configured at another place inside the state dir', () => {
    expect(classifyStatePath('ws-main/notes.md', ['ws-main'])).toBe('workspace');
    expect(classifyStatePath('ws-main/MEMORY.md', ['ws-main'])).toBe('memory');
    expect(classifyWorkspacePath('src/index.ts')).toBe('workspace');
  });
});

describe('isNeverArchived', () => {
  it.each([
    'backups/openclaw-backup-default-20260101T000000Z.tar.gz',
    'tmp/openclaw-0/gateway.1543dd58.lock.sqlite',
    'gateway.pid',
    'x.tmp',
    'sessions.json.lock',
    'agents/main/agent/openclaw-agent.sqlite-wal',
    'agents/main/agent/openclaw-agent.sqlite-shm',
    'state/openclaw.sqlite-journal',
    'agents/main/agent/openclaw-agent.sqlite.reindex-lock.sqlite',
    'agents/main/agent/openclaw-agent.sqlite.generation-writer.sqlite',
    'openclaw-backup.lock',
    'openclaw-backup-daemon.lock',
    'openclaw-backup-status.json',
  ])('skips %s', (rel) => {
    expect(isNeverArchived(rel)).toBe(true);
  });

  it.each(['state/openclaw.sqlite', 'workspace/tmp/notes.md', 'openclaw.json'])('keeps %s', (rel) => {
    expect(isNeverArchived(rel)).toBe(false);
  });
});

describe('selection', () => {
  it('takes every component but cache by default', () => {
    const s = buildSelection({});
    expect([...s.components].sort()).toEqual(['config', 'credentials', 'logs', 'memory', 'sessions', 'state', 'workspace']);
  });

  it('--only wins over include, exclude globs still apply', () => {
    const s = buildSelection({ only: ['workspace'], include: ['config'], exclude: ['**/*.mp4'] });
    expect(isSelected(s, 'workspace', 'workspace/a.md')).toBe(true);
    expect(isSelected(s, 'workspace', 'workspace/film.mp4')).toBe(false);
    expect(isSelected(s, 'config', 'openclaw.json')).toBe(false);
  });

  it('include globs add single files of unselected components', () => {
    const s = buildSelection({ include: ['config', 'workspace/notes/**'] });
    expect(isSelected(s, 'workspace', 'workspace/notes/a.md')).toBe(true);
    expect(isSelected(s, 'workspace', 'workspace/other.md')).toBe(false);
  });

  it('names the bad entry and the valid components', () => {
    expect(() => buildSelection({ include: ['config', 'sesions'] })).toThrow(
      /backup\.include\[1\]: unknown component "sesions" \(did you mean "sessions"\?\); valid components: config, credentials/,
    );
    expect(() => parseComponentList('config,foo')).toThrow(UsageError);
    expect(() => parseComponentList('config,foo')).toThrow(
      /unknown component "foo"; valid components: config, credentials, sessions, memory, workspace, logs, cache, state/,
    );
  });
});
