import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, writeTree } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { archivesIn, fixtureHome } from './daemon-process.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempHome(): string {
  const dir = makeTempDir();
  dirs.push(dir);
  return dir;
}

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const PAGE = 4096;

/** Overwrites `pages` pages in the middle of a database: the header survives, integrity_check fails. */
function corruptPages(file: string, pages: number, fromPage = 40): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, randomBytes(pages * PAGE), 0, pages * PAGE, fromPage * PAGE);
  fs.closeSync(fd);
}

function manifestOf(archive: string): { entries: Array<Record<string, unknown>> } {
  return JSON.parse(execFileSync('tar', ['-xzOf', archive, 'openclaw-backup/manifest.json'], { encoding: 'utf8' }));
}

function integrity(file: string): string {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check;
  } finally {
    db.close();
  }
}

describe('a damaged database never blocks the backup of everything else', () => {
  it('20 corrupt pages in state/openclaw.sqlite: archived raw and flagged, exit 1; verify and restore name it', async () => {
    const fx = fixtureHome(tempHome(), {});
    const db = path.join(fx.stateDir, 'state', 'openclaw.sqlite');
    corruptPages(db, 20);
    const before = sha(db);
    const archive = path.join(fx.home, 'damaged.tar.gz');

    const created = await callCli(['create', '--output', archive], { env: fx.env });
    expect(created.code).toBe(1);
    expect(created.stderr).toContain(
      `warning: database ${db} is damaged (failed integrity_check: database disk image is malformed): stored as a raw copy (with its openclaw.sqlite-wal)`,
    );
    expect(created.stderr).toMatch(
      new RegExp(
        `\\nopenclaw-backup: damaged database ${db} \\(failed integrity_check: .*\\): stored as a raw copy in ${archive}; everything else is backed up\\n$`,
      ),
    );
    expect(created.stdout).toContain(`Created ${archive}`);

    const entry = manifestOf(archive).entries.find((e) => e.path === 'openclaw-backup/state/state/openclaw.sqlite');
    expect(entry).toMatchObject({
      type: 'file',
      flagged: { kind: 'corrupt-database', reason: 'failed integrity_check: database disk image is malformed' },
    });
    expect(entry?.sqlite).toBeUndefined();

    const verified = await callCli(['verify', archive], { env: fx.env });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain(
      'flagged: openclaw-backup/state/state/openclaw.sqlite: raw copy of a database that was damaged when it was backed up (failed integrity_check: database disk image is malformed)',
    );
    expect(verified.stdout).toContain('(2 databases passed integrity_check)');

    const target = path.join(fx.home, 'restored');
    const restored = await callCli(['restore', archive, '--target', target], { env: fx.env });
    expect(restored.code, restored.stderr).toBe(0);
    const restoredDb = path.join(target, 'state', 'openclaw.sqlite');
    expect(restored.stdout).toContain(
      `warning: restored ${restoredDb}: raw copy of a database that was damaged when it was backed up (failed integrity_check: database disk image is malformed); it may not open: try sqlite3 ${restoredDb} .recover`,
    );
    // The bytes that were on disk, for recovery tools; everything else came back intact.
    expect(sha(restoredDb)).toBe(before);
    expect(integrity(path.join(target, 'agents', 'main', 'agent', 'openclaw-agent.sqlite'))).toBe('ok');
    expect(fs.readFileSync(path.join(target, 'openclaw.json'), 'utf8')).toContain('openclaw-backup');
  });

  it('run with a damaged database: exit 1, status failed with the warning, older archives are not pruned', async () => {
    const fx = fixtureHome(tempHome(), { retention: 1 });
    const first = await callCli(['run'], { env: fx.env });
    expect(first.code, first.stderr).toBe(0);
    const good = archivesIn(fx.backups);
    expect(good).toHaveLength(1);
    corruptPages(path.join(fx.stateDir, 'state', 'openclaw.sqlite'), 20);

    const run = await callCli(['run', '--json'], { env: fx.env });
    expect(run.code).toBe(1);
    const record = JSON.parse(run.stdout) as { result: string; error: string; archive: string };
    expect(record.result).toBe('failed');
    expect(record.error).toMatch(/^damaged database .*openclaw\.sqlite \(failed integrity_check/);
    expect(run.stderr).toContain('retention skipped: this backup holds a damaged database; older archives are kept');
    expect(archivesIn(fx.backups)).toEqual([...good, path.basename(record.archive)].sort());
    const status = JSON.parse(fs.readFileSync(path.join(fx.stateDir, 'openclaw-backup-status.json'), 'utf8'));
    expect(status.lastRun.result).toBe('failed');
    expect(status.lastSuccess.archive).toBe(path.join(fx.backups, good[0] as string));
  });

  it('files named like databases that are not: header-valid garbage is damaged (exit 1), headerless bytes a warning', async () => {
    const fx = fixtureHome(tempHome(), {});
    const fake = path.join(fx.stateDir, 'workspace', 'fake.sqlite');
    const random = path.join(fx.stateDir, 'workspace', 'notes.db');
    writeTree(fx.stateDir, {
      'workspace/fake.sqlite': Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), randomBytes(8000)]),
      'workspace/notes.db': randomBytes(8000),
      'workspace/empty.sqlite': '',
    });
    const archive = path.join(fx.home, 'a.tar.gz');
    const created = await callCli(['create', '--output', archive], { env: fx.env });
    expect(created.code).toBe(1);
    expect(created.stderr).toContain(
      `warning: database ${fake} is damaged (file is not a database): stored as a raw copy, flagged in the manifest`,
    );
    expect(created.stderr).toContain(
      `warning: ${random} is named like a database but is not a SQLite database: stored as is, flagged in the manifest`,
    );
    expect(created.stderr).not.toContain('empty.sqlite');
    expect(created.stderr).toMatch(/openclaw-backup: damaged database .*fake\.sqlite \(file is not a database\)/);
    const entries = manifestOf(archive).entries;
    expect(entries.find((e) => String(e.path).endsWith('/fake.sqlite'))?.flagged).toEqual({
      kind: 'corrupt-database',
      reason: 'file is not a database',
    });
    expect(entries.find((e) => String(e.path).endsWith('/notes.db'))?.flagged).toMatchObject({ kind: 'not-a-database' });
    const verified = await callCli(['verify', archive], { env: fx.env });
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain('flagged: openclaw-backup/state/workspace/notes.db: named like a database but not a SQLite database');

    // Without the header-valid one, a file that merely has a database's name is a warning, not a failure.
    fs.rmSync(fake);
    const again = await callCli(['create', '--output', path.join(fx.home, 'b.tar.gz')], { env: fx.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('is named like a database but is not a SQLite database');
  });
});
