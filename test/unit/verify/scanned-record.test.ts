import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EntryArena } from '../../../src/core/reader/entry-arena.js';
import { ScannedRecord } from '../../../src/core/reader/scanned-record.js';

const arena = () => new EntryArena((name) => name.slice('openclaw-backup/state/'.length));
const fields = { name: 'openclaw-backup/state/agents/a.json', kind: 'file', mode: 0o644, mtimeMs: 1_700_000_000_500, size: 12 } as const;

describe('ScannedRecord', () => {
  it('reads back what it was made with, its rel derived from the name', () => {
    const record = new ScannedRecord(arena(), fields);
    expect(record.name).toBe(fields.name);
    expect(record.rel).toBe('agents/a.json');
    expect(record.kind).toBe('file');
    expect(record.mode).toBe(0o644);
    expect(record.mtimeMs).toBe(1_700_000_000_500);
    expect(record.size).toBe(12);
    for (const key of [
      'sha256',
      'database',
      'listed',
      'component',
      'contentDigest',
      'target',
      'linkRel',
      'flagged',
      'sparse',
      'holes',
    ] as const)
      expect(record[key], key).toBeUndefined();
  });

  it('keeps every kind, the full mode and an absent time apart', () => {
    const shared = arena();
    for (const kind of ['file', 'directory', 'symlink', 'link'] as const) {
      const record = new ScannedRecord(shared, { ...fields, kind, mode: 0o7777, mtimeMs: undefined });
      expect(record.kind).toBe(kind);
      expect(record.mode).toBe(0o7777);
      expect(record.mtimeMs).toBeUndefined();
    }
  });

  it('is written like the plain object, keeping unset apart from false, with records beside it unchanged', () => {
    const shared = arena();
    const record = new ScannedRecord(shared, fields);
    const other = new ScannedRecord(shared, { ...fields, name: 'openclaw-backup/state/b' });
    const hash = createHash('sha256').update('a').digest('hex');
    record.sha256 = hash;
    record.database = false;
    record.listed = true;
    record.component = 'sessions';
    record.flagged = { kind: 'not-a-database', reason: 'r' };
    record.mtimeMs = 5;
    expect([record.sha256, record.database, record.listed, record.component, record.mtimeMs]).toEqual([hash, false, true, 'sessions', 5]);
    expect(record.flagged).toEqual({ kind: 'not-a-database', reason: 'r' });
    expect([record.kind, record.mode, record.size]).toEqual(['file', 0o644, 12]);
    expect([other.sha256, other.database, other.listed, other.mtimeMs]).toEqual([undefined, undefined, undefined, 1_700_000_000_500]);
    record.database = true;
    record.listed = undefined;
    record.sha256 = undefined;
    expect([record.database, record.listed, record.sha256]).toEqual([true, undefined, undefined]);
  });
});
