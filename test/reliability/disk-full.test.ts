import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyArchive } from '../../src/core/reader/verify-archive.js';
import { makeTempDir } from '../helpers/fixture.js';
import { finalArchives, sha256Of, tempLeftovers } from './helpers/archives.js';
import { crashSigns, describeRun, runCli } from './helpers/cli.js';
import { freeBytes, mountTmpfs, remount, unmount } from './helpers/mounts.js';
import { createRng, scenarioSeed, suiteSeed } from './helpers/rng.js';
import { diffTrees, setBackupBlock, snapshotTree, unpackRealState } from './helpers/state.js';
import { createTally } from './helpers/summary.js';

/**
 * Scenario 3: the backups dir on a small tmpfs, filled so the space runs out at a random point (database
 * snapshots in staging, archive body, manifest). Every run: exit 1 naming ENOSPC, no partial archive or staging
 * dir left, older archives byte-identical, nothing deleted; after space is freed the next run succeeds. Then the
 * same for restore: its staging dir (beside the state dir) runs out of space and the live state is untouched.
 */
const CASES = Number(process.env.RELIABILITY_DISK_CASES ?? 8);
const MB = 1024 * 1024;
const seed = scenarioSeed('disk-full');
const rng = createRng(seed);
const tally = createTally('disk-full');

let home: string;
let stateDir: string;
let backupsDir: string;
let mounted = false;
const env = () => ({ HOME: home });

function fingerprints(): Map<string, string> {
  return new Map(finalArchives(backupsDir).map((a) => [a, sha256Of(a)]));
}

async function createOk(context: string): Promise<string> {
  const args = ['create', '--json'];
  const result = await runCli(args, { env: env(), timeoutMs: 120_000 });
  expect(result.code, `${context}: ${describeRun(args, result)}`).toBe(0);
  const archive = (JSON.parse(result.stdout) as { archive: string }).archive;
  const report = await verifyArchive(archive);
  expect(report.ok, `${context}: ${JSON.stringify(report.problems.slice(0, 3))}`).toBe(true);
  tally.counts.archives += 1;
  return archive;
}

/** Free-space levels that fit the database snapshots taken so far plus the next one, with 16 KiB to spare. */
function snapshotEdges(): number[] {
  const dbs = ['agents/main/agent/openclaw-agent.sqlite', 'state/openclaw.sqlite'].map((rel) => fs.statSync(path.join(stateDir, rel)).size);
  let sum = 0;
  return dbs.map((size) => (sum += size) + 16 * 1024);
}

describe('disk full: the backups dir runs out of space', () => {
  beforeAll(() => {
    console.log(`[disk-full] RELIABILITY_SEED=${suiteSeed()}, ${CASES} cases`);
    home = makeTempDir('ocb-rel-disk-');
    stateDir = unpackRealState(home);
    // Incompressible bulk so the archive is a few MB and space can run out in the middle of it.
    fs.writeFileSync(path.join(stateDir, 'workspace', 'bulk.bin'), rng.bytes(3 * MB));
    backupsDir = path.join(home, 'backups-fs');
    mountTmpfs(backupsDir, 32 * MB);
    mounted = true;
    // retention 1 with two older archives: a `run` that pruned after its failure would delete one.
    setBackupBlock(stateDir, { path: backupsDir, retention: 1 });
  });

  afterAll(() => {
    if (mounted) unmount(backupsDir);
    tally.record();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it(`fails cleanly with exit 1 at ${CASES}+ fill levels and recovers once space is freed`, async () => {
    await createOk('first older archive');
    const older = await createOk('second older archive');
    const archiveBytes = fs.statSync(older).size;
    const filler = path.join(backupsDir, 'filler.bin');

    // Edge levels first: room for each database snapshot in turn but not for its -shm (SQLite then reports only
    // "disk I/O error"), then random levels below one archive: the run must fail while snapshotting the databases
    // into staging, or while writing the archive body or manifest.
    const levels = [0, ...snapshotEdges()];
    while (levels.length < CASES) levels.push(rng.int(0, Math.floor(archiveBytes * 0.95)));
    for (let i = 0; i < levels.length; i += 1) {
      const before = fingerprints();
      const leave = levels[i] as number;
      fs.writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes(backupsDir) - leave)));
      const context = `case ${i}: ${leave} bytes free (RELIABILITY_SEED=${suiteSeed()})`;
      // Odd cases run the daemon's cycle (`run`, which prunes after a good backup): retention must delete nothing.
      const args = i % 2 === 1 ? ['run'] : ['create'];
      const result = await runCli(args, { env: env(), timeoutMs: 120_000 });
      tally.counts.cases += 1;
      expect(crashSigns(result), `${context}: ${describeRun(args, result)}`).toEqual([]);
      expect(result.code, `${context}: ${describeRun(args, result)}`).toBe(1);
      if (args[0] === 'create') {
        const errors = result.stderr.split('\n').filter((line) => line.startsWith('openclaw-backup:'));
        expect(errors, `${context}: one error line`).toHaveLength(1);
        expect(errors[0], context).toMatch(/ENOSPC: no space left on device/);
      } else expect(result.stderr, context).toMatch(/ENOSPC: no space left on device/);
      expect(tempLeftovers(backupsDir), `${context}: partial files left`).toEqual([]);
      expect(fingerprints(), `${context}: older archives changed or deleted`).toEqual(before);
      tally.counts.archives += before.size;

      if (i % 2 === 0) fs.rmSync(filler);
      else remount(backupsDir, `size=${64 * MB}`);
      await createOk(`${context}, after freeing space`);
      if (i % 2 === 1) {
        fs.rmSync(filler);
        remount(backupsDir, `size=${32 * MB}`);
      }
      // Keep the dir at the two older archives so the next fill level means what it says.
      for (const archive of finalArchives(backupsDir)) if (!before.has(archive)) fs.rmSync(archive);
    }
  });

  it('restore: a full filesystem for the staging dir fails with exit 1 and leaves the live state untouched', async () => {
    // HOME on a small tmpfs: the state dir and restore's staging dir (beside it) share it; the archive is elsewhere.
    const smallHome = path.join(home, 'small-home');
    mountTmpfs(smallHome, 24 * MB);
    try {
      const liveState = path.join(smallHome, '.openclaw');
      fs.cpSync(stateDir, liveState, { recursive: true });
      fs.rmSync(path.join(liveState, 'workspace', 'bulk.bin'));
      setBackupBlock(liveState, {});
      const smallEnv = { HOME: smallHome };
      const archive = path.join(home, 'restore-source.tar.gz');
      const created = await runCli(['create', '--output', archive], { env: smallEnv, timeoutMs: 120_000 });
      expect(created.code, describeRun(['create'], created)).toBe(0);
      const first = await runCli(['restore', archive], { env: smallEnv, timeoutMs: 120_000 });
      expect(first.code, describeRun(['restore'], first)).toBe(0);
      const skip = (rel: string) => rel === 'backups' || rel === 'openclaw-backup.lock' || rel.endsWith('-shm') || rel.endsWith('-wal');
      const restoredTree = snapshotTree(liveState, skip);
      const besides = () => fs.readdirSync(smallHome).filter((n) => n !== '.openclaw' && n !== 'filler.bin');
      for (const n of besides()) fs.rmSync(path.join(smallHome, n), { recursive: true, force: true });
      const needed = 6 * MB;
      const levels = [0, 64 * 1024, ...Array.from({ length: 4 }, () => rng.int(0, needed))];
      let refused = 0;
      for (const leave of levels) {
        const filler = path.join(smallHome, 'filler.bin');
        fs.writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes(smallHome) - leave)));
        const context = `restore with ${leave} bytes free (RELIABILITY_SEED=${suiteSeed()})`;
        const args = ['restore', archive];
        const result = await runCli(args, { env: smallEnv, timeoutMs: 120_000 });
        tally.counts.cases += 1;
        expect(crashSigns(result), `${context}: ${describeRun(args, result)}`).toEqual([]);
        expect([0, 1], `${context}: ${describeRun(args, result)}`).toContain(result.code);
        if (result.code === 1) {
          refused += 1;
          const errors = result.stderr.split('\n').filter((line) => line.startsWith('openclaw-backup:'));
          expect(errors, context).toHaveLength(1);
          expect(errors[0], context).toMatch(/ENOSPC: no space left on device|not enough space/);
          expect(besides(), `${context}: staging left behind`).toEqual([]);
        }
        expect(diffTrees(restoredTree, snapshotTree(liveState, skip)), `${context}: the live state changed`).toEqual([]);
        fs.rmSync(filler);
        for (const n of besides()) fs.rmSync(path.join(smallHome, n), { recursive: true, force: true });
      }
      expect(refused, 'no level ran out of space').toBeGreaterThan(0);
      const after = await runCli(['restore', archive], { env: smallEnv, timeoutMs: 120_000 });
      expect(after.code, `after freeing space: ${describeRun(['restore'], after)}`).toBe(0);
    } finally {
      unmount(smallHome);
    }
  });
});
