import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeepMark } from '../../../src/core/restore/carry.js';
import { swapAround } from '../../../src/core/restore/swap-around.js';
import { JOURNAL_FILE, readJournal, SwapJournal, undoSteps } from '../../../src/core/restore/swap.js';
import { makeTempDir, writeTree } from '../../helpers/fixture.js';
import { snapshotTree } from '../../helpers/tree.js';

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const header = { pid: process.pid, target: '/nowhere', startedAt: '2026-01-01T00:00:00Z' };

describe('swapAround', () => {
  it('never moves what is kept: the backups dir stays in its folder, the rest swaps around it', async () => {
    dir = makeTempDir('ocb-swap-');
    writeTree(dir, {
      'live/a': 'old',
      'live/backups/x.tar.gz': 'b',
      'live/openclaw-backup.lock/owner.json': '{}',
      'live/ws/big/f': 'excluded',
      'live/ws/n': 'old n',
      'staged/a': 'new',
      'staged/ws/n': 'new n',
      'staged/ws/m': 'new m',
    });
    const inode = fs.statSync(path.join(dir, 'live/backups')).ino;
    const marks = new Map<string, KeepMark>([
      ['backups', 'keep'],
      ['openclaw-backup.lock', 'keep'],
      ['ws', 'mixed'],
      ['ws/big', 'keep'],
    ]);
    const journal = await SwapJournal.open(path.join(dir, JOURNAL_FILE), header);
    const conflicts: string[] = [];
    await swapAround(journal, path.join(dir, 'staged'), path.join(dir, 'live'), path.join(dir, 'rb'), marks, conflicts);
    await journal.commit();
    expect(fs.statSync(path.join(dir, 'live/backups')).ino).toBe(inode);
    expect(fs.readFileSync(path.join(dir, 'live/a'), 'utf8')).toBe('new');
    expect(fs.readFileSync(path.join(dir, 'live/ws/big/f'), 'utf8')).toBe('excluded');
    expect(fs.readFileSync(path.join(dir, 'live/ws/m'), 'utf8')).toBe('new m');
    expect(Object.keys(snapshotTree(path.join(dir, 'rb'))).sort()).toEqual(['a', 'ws', 'ws/n']);
    expect(conflicts).toEqual([]);
    expect((await readJournal(path.join(dir, JOURNAL_FILE)))?.state).toBe('committed');
  });

  it('a failure half way is undone exactly, in process and from the journal alone', async () => {
    for (const fromDisk of [false, true]) {
      dir = makeTempDir('ocb-swap-');
      writeTree(dir, {
        'live/a': 'old',
        'live/b/c': 'old c',
        'live/backups/x': 'b',
        'staged/a': 'new',
        'staged/b/c': 'new c',
        'staged/d': 'new d',
      });
      fs.chmodSync(path.join(dir, 'staged'), 0o700);
      fs.chmodSync(path.join(dir, 'live'), 0o755);
      const before = snapshotTree(dir);
      const file = path.join(dir, JOURNAL_FILE);
      let steps = 0;
      const journal = await SwapJournal.open(file, header, (_step, when) => {
        if (when === 'after' && ++steps === 4) throw new Error('injected');
      });
      await expect(
        swapAround(journal, path.join(dir, 'staged'), path.join(dir, 'live'), path.join(dir, 'rb'), new Map([['backups', 'keep']]), []),
      ).rejects.toThrow('injected');
      if (fromDisk) expect(await undoSteps((await readJournal(file))?.steps ?? [])).toEqual([]);
      else expect(await journal.rollback()).toEqual([]);
      fs.rmSync(file);
      expect(snapshotTree(dir)).toEqual(before);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
