import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SwapJournal, swapTree } from '../../../src/core/restore/swap.js';
import { makeTempDir, writeTree } from '../../helpers/fixture.js';
import { snapshotTree } from '../../helpers/tree.js';

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('swapTree', () => {
  it('carries the lock and backups over, keeps the old tree as the rollback copy', async () => {
    dir = makeTempDir('ocb-swap-');
    writeTree(dir, { 'live/a': 'old', 'live/backups/x.tar.gz': 'b', 'live/openclaw-backup.lock/owner.json': '{}', 'staged/a': 'new' });
    const kept = await swapTree(new SwapJournal(), path.join(dir, 'staged'), path.join(dir, 'live'), path.join(dir, 'rb'), ['openclaw-backup.lock', 'backups']);
    expect(kept).toBe(path.join(dir, 'rb'));
    expect(snapshotTree(path.join(dir, 'live'))).toMatchObject({ a: expect.stringContaining('file'), 'backups/x.tar.gz': expect.any(String), 'openclaw-backup.lock/owner.json': expect.any(String) });
    expect(fs.readFileSync(path.join(dir, 'live/a'), 'utf8')).toBe('new');
    expect(fs.readdirSync(path.join(dir, 'rb'))).toEqual(['a']);
  });

  it('a failure half way is undone: the live tree is exactly as it was', async () => {
    dir = makeTempDir('ocb-swap-');
    writeTree(dir, { 'live/a': 'old', 'live/backups/x': 'b', 'staged/a': 'new', 'staged/backups/conflict': 'c' });
    const before = snapshotTree(dir);
    const journal = new SwapJournal();
    // The staged tree already has a non-empty "backups", so carrying the live one over fails.
    await expect(swapTree(journal, path.join(dir, 'staged'), path.join(dir, 'live'), path.join(dir, 'rb'), ['backups'])).rejects.toThrow();
    expect(await journal.rollback()).toEqual([]);
    expect(snapshotTree(dir)).toEqual(before);

    const second = new SwapJournal();
    fs.rmSync(path.join(dir, 'staged/backups'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'rb'), 'a file where the rollback dir should go');
    const beforeSecond = snapshotTree(dir);
    await expect(swapTree(second, path.join(dir, 'staged'), path.join(dir, 'live'), path.join(dir, 'rb'), ['backups'])).rejects.toThrow();
    expect(await second.rollback()).toEqual([]);
    expect(snapshotTree(dir)).toEqual(beforeSecond);
  });
});
