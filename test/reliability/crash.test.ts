import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/fixture.js';
import { verifyArchive } from '../../src/core/reader/verify-archive.js';
import { finalArchives, tempLeftovers } from './helpers/archives.js';
import { crashSigns, describeRun, runCli } from './helpers/cli.js';
import { runAndKill } from './helpers/kill.js';
import { createRng, scenarioSeed, suiteSeed } from './helpers/rng.js';
import { diffTrees, makeBigState, snapshotTree, type TreeSnapshot } from './helpers/state.js';
import { createTally } from './helpers/summary.js';

/**
 * Scenario 1: kill -9 at random moments. After every kill: no file under a final archive name fails verify, and
 * the next create succeeds with no manual cleanup (stale lock reclaimed, temp files removed). The live state is
 * never modified by a backup.
 */
const KILLS = Number(process.env.RELIABILITY_KILLS ?? 50);
const STATE_MB = Number(process.env.RELIABILITY_STATE_MB ?? 60);
const seed = scenarioSeed('crash');
const rng = createRng(seed);
const tally = createTally('crash');

let home: string;
let stateDir: string;
let backupsDir: string;
let env: NodeJS.ProcessEnv;
let before: TreeSnapshot;
const good = new Set<string>();

/** What a backup may change in the state dir: its own lock, status record, state id and backups dir, SQLite's -shm. */
const ownFiles = (rel: string) =>
  rel === 'backups' ||
  rel === 'openclaw-backup.lock' ||
  rel === 'openclaw-backup-status.json' ||
  rel === 'openclaw-backup-id.json' ||
  rel.endsWith('-shm');

/** State changes other than an empty -wal that SQLite creates when a reader opens a cleanly closed WAL database. */
function stateChanges(): string[] {
  return diffTrees(before, snapshotTree(stateDir, ownFiles), 50).filter((d) => {
    const match = /^(.+-wal): unexpected$/.exec(d);
    return !(match && fs.statSync(path.join(stateDir, match[1] as string)).size === 0);
  });
}

/** Every final-named archive must verify; each new one is checked once. */
async function checkFinalArchives(context: string): Promise<void> {
  for (const archive of finalArchives(backupsDir)) {
    if (good.has(archive)) continue;
    // In-process verify from src: an independent judge even when the CLI under test is a broken build.
    const report = await verifyArchive(archive);
    expect(
      report.ok,
      `${context}: ${path.basename(archive)} is under a final name but fails verify: ${JSON.stringify(report.problems.slice(0, 3))}`,
    ).toBe(true);
    good.add(archive);
    tally.counts.archives += 1;
  }
}

/** The next create must succeed on its own (stale lock reclaimed) and leave no temp files behind. */
async function checkRecovery(context: string): Promise<void> {
  const args = ['create', '--only', 'config,credentials', '--json'];
  // Well under the lock's 30 s stale time: a lock left by a dead owner must be reclaimed at once, not waited out.
  const result = await runCli(args, { env, timeoutMs: 25_000 });
  expect(crashSigns(result), `${context}: ${describeRun(args, result)}`).toEqual([]);
  expect(result.code, `${context}: next create after the kill failed: ${describeRun(args, result)}`).toBe(0);
  expect(tempLeftovers(backupsDir), `${context}: temp files left after the next create`).toEqual([]);
  expect(fs.existsSync(path.join(stateDir, 'openclaw-backup.lock')), `${context}: lock still held after the next create`).toBe(false);
  await checkFinalArchives(`${context} (recovery)`);
}

/** `list` must show exactly the final-named archives, every one of which has verified. */
async function checkList(context: string): Promise<void> {
  const args = ['list', '--json'];
  const result = await runCli(args, { env, timeoutMs: 60_000 });
  expect(result.code, `${context}: ${describeRun(args, result)}`).toBe(0);
  const listed = (JSON.parse(result.stdout) as Array<{ archive: string }>).map((a) => a.archive).sort();
  expect(listed, `${context}: list`).toEqual(finalArchives(backupsDir));
  for (const archive of listed) expect(good.has(archive), `${context}: list shows ${archive}, which was never verified`).toBe(true);
}

describe('crash injection: kill -9 during create and run', () => {
  beforeAll(() => {
    console.log(`[crash] RELIABILITY_SEED=${suiteSeed()}, ${KILLS} kills, state +${STATE_MB} MB`);
    home = makeTempDir('ocb-rel-crash-');
    const made = makeBigState(home, rng, { totalMb: STATE_MB, backup: { retention: 1000 } });
    stateDir = made.stateDir;
    backupsDir = path.join(stateDir, 'backups');
    env = { HOME: home };
    before = snapshotTree(stateDir, ownFiles);
  });

  afterAll(() => {
    tally.record();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it(
    `leaves only verifiable archives, list shows only those, and recovers without cleanup after ${KILLS} kills`,
    { timeout: 540_000 },
    async () => {
      const full = await runCli(['create', '--json'], { env, timeoutMs: 240_000 });
      expect(full.code, describeRun(['create'], full)).toBe(0);
      const fullMs = full.durationMs;
      console.log(`[crash] a full create of the state takes ${fullMs} ms`);
      await checkFinalArchives('calibration');

      let kills = 0;
      const spent = { running: 0, checks: 0 };
      for (let i = 0; kills < KILLS; i += 1) {
        // Over the whole run and a little past it (some runs publish before the kill), denser early where the lock
        // and snapshot phase are.
        const delay = Math.floor(rng.next() ** 1.5 * fullMs * 1.15);
        const compress = rng.pick(['gzip', 'gzip', 'none', 'zstd']);
        // A quarter of the kills hit `run` (the daemon's cycle: backup, verify, prune, status record) instead of create.
        const args = rng.next() < 0.25 ? ['run'] : ['create', '--compress', compress];
        const t0 = Date.now();
        const { killed, result } = await runAndKill(args, delay, { env, timeoutMs: 240_000 });
        const t1 = Date.now();
        const context = `kill #${i} at ${delay} ms (${args.join(' ')}, RELIABILITY_SEED=${suiteSeed()})`;
        if (killed) {
          kills += 1;
          tally.counts.kills += 1;
        } else {
          expect(result.code, `${context}: ${describeRun(args, result)}`).toBe(0);
        }
        tally.counts.cases += 1;
        await checkFinalArchives(context);
        await checkRecovery(context);
        if (i % 5 === 4) await checkList(context);
        spent.running += t1 - t0;
        spent.checks += Date.now() - t1;
        if (i > KILLS * 3) throw new Error(`only ${kills} of ${i} runs were still running at their kill moment`);
      }
      await checkList('after all kills');
      // The status record is written atomically: after every kill it still reads.
      const status = await runCli(['status', '--json'], { env, timeoutMs: 60_000 });
      expect(status.code, describeRun(['status'], status)).toBe(0);
      expect(status.stderr).not.toMatch(/corrupt/i);
      console.log(`[crash] ${kills} kills: ${spent.running} ms in killed runs, ${spent.checks} ms in checks and recoveries`);
      expect(stateChanges(), 'the live state changed during backups').toEqual([]);
    },
  );
});
