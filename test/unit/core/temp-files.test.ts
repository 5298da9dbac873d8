import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanStaleTemps } from '../../../src/core/fs/temp-files.js';
import { recoverInterruptedRestores } from '../../../src/core/restore/recover.js';
import { makeTempDir, writeTree } from '../../helpers/fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const DEAD = 2 ** 22 + 4242;

describe('stale temp cleanup', () => {
  it('removes partial archives and staging dirs of dead writers, keeps live ones and real archives', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    writeTree(dir, {
      [`openclaw-backup-default.${DEAD}-abcd1234.partial`]: 'x',
      [`openclaw-backup-default.${process.pid}-abcd1234.partial`]: 'mine',
      [`.openclaw-backup-staging-${DEAD}-beef0000/db-1`]: 'x',
      'openclaw-backup-default-20260101T000000Z.tar.gz': 'keep',
    });
    expect((await cleanStaleTemps(dir)).sort()).toEqual([
      `.openclaw-backup-staging-${DEAD}-beef0000`,
      `openclaw-backup-default.${DEAD}-abcd1234.partial`,
    ]);
    expect(fs.readdirSync(dir).sort()).toEqual([
      `openclaw-backup-default-20260101T000000Z.tar.gz`,
      `openclaw-backup-default.${process.pid}-abcd1234.partial`,
    ]);
  });

  it("removes an older version's killed restore staging dir and moves carried backups back, never deleting them", async () => {
    const parent = makeTempDir();
    dirs.push(parent);
    const target = path.join(parent, '.openclaw');
    writeTree(parent, {
      [`.openclaw-backup-restore-${DEAD}-aaaa0000/openclaw-backup/state/openclaw.json`]: '{}',
      [`.openclaw-backup-restore-${DEAD}-bbbb0000/openclaw-backup/state/backups/a.tar.gz`]: 'precious',
      '.openclaw/openclaw.json': '{}',
    });
    const result = await recoverInterruptedRestores(target);
    expect(result.recovered.map((p) => path.basename(p)).sort()).toEqual([
      `.openclaw-backup-restore-${DEAD}-aaaa0000`,
      `.openclaw-backup-restore-${DEAD}-bbbb0000`,
    ]);
    expect(fs.readFileSync(path.join(target, 'backups', 'a.tar.gz'), 'utf8')).toBe('precious');
  });

  it('keeps such a staging dir holding backups when the live backups dir exists again, and says where', async () => {
    const parent = makeTempDir();
    dirs.push(parent);
    const target = path.join(parent, '.openclaw');
    writeTree(parent, {
      [`.openclaw-backup-restore-${DEAD}-cccc0000/openclaw-backup/state/backups/b.tar.gz`]: 'precious',
      '.openclaw/backups/new.tar.gz': 'new',
    });
    const result = await recoverInterruptedRestores(target);
    expect(result.kept.map((p) => path.basename(p))).toEqual([`.openclaw-backup-restore-${DEAD}-cccc0000`]);
    expect(result.warnings[0]).toMatch(/holds a backups dir .*move it back by hand/);
    expect(
      fs.readFileSync(path.join(parent, `.openclaw-backup-restore-${DEAD}-cccc0000/openclaw-backup/state/backups/b.tar.gz`), 'utf8'),
    ).toBe('precious');
  });
});
