import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArchiveHeader } from '../../../src/core/archive/manifest.js';
import { archiveSelection, carryRulesFor, planCarry } from '../../../src/core/restore/carry.js';
import type { PlacedRoot } from '../../../src/core/restore/destinations.js';
import { makeTempDir, writeTree } from '../../helpers/fixture.js';

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const stateRoot: PlacedRoot = {
  id: 'state',
  role: 'state',
  archiveRel: 'openclaw-backup/state',
  source: '/x',
  destination: '/x',
  placement: 'target',
};

describe('planCarry', () => {
  it("keeps what the archive's selection left out, our files and the backups dir; -wal files go with the old state", async () => {
    dir = makeTempDir('ocb-carry-');
    writeTree(dir, {
      'openclaw.json': '{}',
      'cache/keep/a': 'archived by an include glob',
      'cache/other': 'left out',
      'logs/g.log': 'left out by exclude',
      'workspace/MEMORY.md': 'in the archive',
      'workspace/scratch/x': 'excluded',
      'db.sqlite-wal': 'wal',
      'backups/a.tar.gz': 'archive',
      'openclaw-backup-status.json': '{}',
      'openclaw-backup-daemon.lock/owner.json': '{}',
      'tmp/sock': 'runtime',
    });
    const header = {
      components: ['config', 'workspace', 'memory', 'state'],
      selection: { include: ['cache/keep/**'], exclude: ['workspace/scratch/**'] },
    } as unknown as ArchiveHeader;
    const archived = new Set(['openclaw.json', 'cache', 'cache/keep', 'cache/keep/a', 'workspace', 'workspace/MEMORY.md']);
    const context = {
      target: dir,
      inPlace: true,
      selection: archiveSelection(header, undefined),
      backupDir: path.join(dir, 'backups'),
      openclaw: {},
      home: dir,
    };
    const plan = await planCarry(
      dir,
      carryRulesFor(stateRoot, dir, context, (rel) => archived.has(rel)),
    );
    expect(plan.carried.sort()).toEqual(['backups', 'cache/other', 'logs', 'openclaw-backup-status.json', 'workspace/scratch']);
    expect(plan.marks.get('cache')).toBe('mixed');
    expect(plan.marks.get('workspace')).toBe('mixed');
    expect(plan.marks.get('openclaw-backup-daemon.lock')).toBe('keep');
    expect(plan.marks.has('db.sqlite-wal') || plan.marks.has('tmp')).toBe(false);
    // A --target copy carries only our files and the backups dir.
    const copy = await planCarry(
      dir,
      carryRulesFor(stateRoot, dir, { ...context, inPlace: false }, (rel) => archived.has(rel)),
    );
    expect(copy.carried.sort()).toEqual(['backups', 'openclaw-backup-status.json']);
  });
});
