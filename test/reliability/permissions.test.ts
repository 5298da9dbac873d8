import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyArchive } from '../../src/core/reader/verify-archive.js';
import { makeTempDir } from '../helpers/fixture.js';
import { finalArchives, sha256Of, tempLeftovers } from './helpers/archives.js';
import { crashSigns, describeRun, runCli, type RunResult } from './helpers/cli.js';
import { mountTmpfs, unmount } from './helpers/mounts.js';
import { snapshotTree, unpackRealState, type TreeSnapshot } from './helpers/state.js';
import { createTally } from './helpers/summary.js';

/**
 * Scenario 6: permissions. The CLI runs as an unprivileged user (uid 65534, since the suite runs as root) against
 * an unreadable file, a read-only backups dir and a backups dir owned by someone else; as root against a read-only
 * filesystem. Each: exit 1, one clear line naming the path and the cause, no partial file, nothing lost.
 */
const NOBODY = 65534;
const tally = createTally('permissions');

let home: string;
let stateDir: string;
let backupsDir: string;
let older: Map<string, string>;
let stateBefore: TreeSnapshot;

function chownTree(p: string, uid: number): void {
  execFileSync('chown', ['-R', `${uid}:${uid}`, p]);
}

async function createAsNobody(): Promise<RunResult> {
  const args = ['create'];
  const result = await runCli(args, { env: { HOME: home }, uid: NOBODY, gid: NOBODY, cwd: home, timeoutMs: 120_000 });
  expect(crashSigns(result), describeRun(args, result)).toEqual([]);
  return result;
}

/** The failure contract: exit 1, one error line naming `subject` and `cause`, no partials, older archives intact. */
async function expectCleanFailure(result: RunResult, subject: string, cause: RegExp, dir = backupsDir): Promise<void> {
  tally.counts.cases += 1;
  expect(result.code, describeRun(['create'], result)).toBe(1);
  const errors = result.stderr.split('\n').filter((l) => l.startsWith('openclaw-backup:'));
  expect(errors, result.stderr).toHaveLength(1);
  expect(errors[0]).toContain(subject);
  expect(errors[0]).toMatch(cause);
  expect(tempLeftovers(dir)).toEqual([]);
  expect(new Map(finalArchives(backupsDir).map((a) => [a, sha256Of(a)]))).toEqual(older);
  for (const archive of older.keys()) {
    expect((await verifyArchive(archive)).ok).toBe(true);
    tally.counts.archives += 1;
  }
  expect(
    snapshotTree(stateDir, (rel) => rel === 'backups' || rel === 'openclaw-backup.lock' || rel.endsWith('-shm') || rel.endsWith('-wal')),
    'the state changed',
  ).toEqual(stateBefore);
}

describe('permissions: clear errors, nothing lost', () => {
  beforeAll(async () => {
    home = makeTempDir('ocb-rel-perm-');
    fs.chmodSync(home, 0o755);
    stateDir = unpackRealState(home);
    backupsDir = path.join(stateDir, 'backups');
    chownTree(home, NOBODY);
    const first = await createAsNobody();
    expect(first.code, describeRun(['create'], first)).toBe(0);
    older = new Map(finalArchives(backupsDir).map((a) => [a, sha256Of(a)]));
    expect(older.size).toBe(1);
    stateBefore = snapshotTree(
      stateDir,
      (rel) => rel === 'backups' || rel === 'openclaw-backup.lock' || rel.endsWith('-shm') || rel.endsWith('-wal'),
    );
  });

  afterAll(() => {
    tally.record();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('an unreadable file in the state: exit 1 naming the file, then a backup once it is readable', async () => {
    const secret = path.join(stateDir, 'workspace', 'private-notes.md');
    fs.writeFileSync(secret, 'not for backup tools\n');
    fs.chownSync(secret, NOBODY, NOBODY);
    fs.chmodSync(secret, 0o000);
    stateBefore = snapshotTree(
      stateDir,
      (rel) => rel === 'backups' || rel === 'openclaw-backup.lock' || rel.endsWith('-shm') || rel.endsWith('-wal'),
    );
    await expectCleanFailure(await createAsNobody(), secret, /EACCES: permission denied/);
    expect(fs.statSync(secret).mode & 0o777, 'the file was left as it was').toBe(0);
    fs.chmodSync(secret, 0o600);
    const after = await createAsNobody();
    expect(after.code, describeRun(['create'], after)).toBe(0);
    for (const archive of finalArchives(backupsDir)) if (!older.has(archive)) fs.rmSync(archive);
    // A successful create records itself in the status record (hand-made backups are kept apart from run's): the
    // failures below are judged against the state as it now is.
    stateBefore = snapshotTree(
      stateDir,
      (rel) => rel === 'backups' || rel === 'openclaw-backup.lock' || rel.endsWith('-shm') || rel.endsWith('-wal'),
    );
  });

  it('a read-only backups dir: exit 1 naming it', async () => {
    fs.chmodSync(backupsDir, 0o500);
    try {
      await expectCleanFailure(await createAsNobody(), backupsDir, /EACCES: permission denied/);
    } finally {
      fs.chmodSync(backupsDir, 0o700);
    }
  });

  it('a backups dir owned by another user: exit 1 naming it', async () => {
    fs.chownSync(backupsDir, 0, 0);
    try {
      await expectCleanFailure(await createAsNobody(), backupsDir, /EACCES: permission denied/);
    } finally {
      fs.chownSync(backupsDir, NOBODY, NOBODY);
    }
  });

  it('a backups dir on a read-only filesystem (as root): exit 1 naming it', async () => {
    const roDir = path.join(home, 'ro-backups');
    mountTmpfs(roDir, 1024 * 1024, ['ro']);
    try {
      const config = path.join(home, 'ro-config.json5');
      fs.writeFileSync(config, JSON.stringify({ backup: { path: roDir } }));
      const args = ['--config', config, 'create'];
      const result = await runCli(args, { env: { HOME: home }, timeoutMs: 120_000 });
      expect(crashSigns(result), describeRun(args, result)).toEqual([]);
      await expectCleanFailure(result, roDir, /EROFS: read-only file system/, roDir);
    } finally {
      unmount(roDir);
    }
  });
});
