import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/fixture.js';
import { sha256Of } from './helpers/archives.js';
import { crashSigns, describeRun, runCli } from './helpers/cli.js';
import { runAndKill } from './helpers/kill.js';
import { createRng, scenarioSeed, suiteSeed } from './helpers/rng.js';
import { diffTrees, makeBigState, snapshotTree, type TreeSnapshot } from './helpers/state.js';
import { createTally } from './helpers/summary.js';

/**
 * Scenario 1b: kill -9 during an in-place restore. After every kill the live state is exactly the state before
 * the restore or exactly the archive's, the backups dir (carried across the swap) still holds every archive, and
 * the next restore succeeds on its own.
 */
const KILLS = Number(process.env.RELIABILITY_RESTORE_KILLS ?? 15);
const rng = createRng(scenarioSeed('crash-restore'));
const tally = createTally('crash-restore');

let home: string;
let stateDir: string;
let env: NodeJS.ProcessEnv;
const archives: string[] = [];
const trees: TreeSnapshot[] = [];
const archiveHashes = new Map<string, string>();

const notState = (rel: string) =>
  rel === 'backups' || rel === 'openclaw-backup.lock' || rel === 'openclaw-backup-status.json' || rel.endsWith('-shm') || rel.endsWith('-wal');

function liveTree(): TreeSnapshot {
  return fs.existsSync(stateDir) ? snapshotTree(stateDir, notState) : new Map();
}

/** Rollback copies and staging dirs beside the state dir: what restore leaves for the user (or after a kill). */
function besideState(): string[] {
  return fs.readdirSync(home).filter((n) => n.startsWith('.openclaw.rollback-') || n.startsWith('.openclaw-backup-restore-'));
}

async function restoreOk(archive: string, context: string): Promise<void> {
  const args = ['restore', archive, '--json'];
  const result = await runCli(args, { env, timeoutMs: 60_000 });
  expect(crashSigns(result), `${context}: ${describeRun(args, result)}`).toEqual([]);
  expect(result.code, `${context}: ${describeRun(args, result)}`).toBe(0);
}

function checkArchivesKept(context: string): void {
  for (const [archive, hash] of archiveHashes) {
    expect(fs.existsSync(archive), `${context}: ${archive} is gone from the backups dir`).toBe(true);
    expect(sha256Of(archive), `${context}: ${archive} changed`).toBe(hash);
    tally.counts.archives += 1;
  }
}

describe('crash injection: kill -9 during restore', () => {
  beforeAll(async () => {
    home = makeTempDir('ocb-rel-crash-restore-');
    stateDir = makeBigState(home, rng, { totalMb: 20 }).stateDir;
    env = { HOME: home };
    // Two archives of two different states; each restored once to completion gives the exact tree to expect.
    for (let n = 0; n < 2; n += 1) {
      if (n === 1) {
        fs.writeFileSync(path.join(stateDir, 'workspace', 'MEMORY.md'), 'rewritten between the two backups\n');
        fs.rmSync(path.join(stateDir, 'workspace', 'notes', '0'), { recursive: true, force: true });
        fs.writeFileSync(path.join(stateDir, 'workspace', 'added.bin'), rng.bytes(2 * 1024 * 1024));
      }
      const created = await runCli(['create', '--json'], { env, timeoutMs: 120_000 });
      expect(created.code, describeRun(['create'], created)).toBe(0);
      const archive = (JSON.parse(created.stdout) as { archive: string }).archive;
      archives.push(archive);
      archiveHashes.set(archive, sha256Of(archive));
    }
    for (const archive of archives) {
      await restoreOk(archive, 'setup');
      trees.push(liveTree());
    }
    for (const n of besideState()) fs.rmSync(path.join(home, n), { recursive: true, force: true });
  });

  afterAll(() => {
    tally.record();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it(`leaves the state as it was or as restored, keeps every archive, and recovers after ${KILLS} kills`, async () => {
    const started = Date.now();
    await restoreOk(archives[0] as string, 'calibration');
    const fullMs = Date.now() - started;
    console.log(`[crash-restore] RELIABILITY_SEED=${suiteSeed()}, a full restore takes ${fullMs} ms`);
    let current = 0;
    let kills = 0;
    let leftovers = 0;
    for (let i = 0; kills < KILLS; i += 1) {
      const next = 1 - current;
      const delay = Math.floor(rng.next() * fullMs * 1.1);
      const context = `restore kill #${i} at ${delay} ms (RELIABILITY_SEED=${suiteSeed()})`;
      const { killed, result } = await runAndKill(['restore', archives[next] as string], delay, { env, timeoutMs: 120_000 });
      tally.counts.cases += 1;
      if (killed) {
        kills += 1;
        tally.counts.kills += 1;
      } else expect(result.code, `${context}: ${describeRun(['restore'], result)}`).toBe(0);

      const live = liveTree();
      const asBefore = diffTrees(trees[current] as TreeSnapshot, live);
      const asRestored = diffTrees(trees[next] as TreeSnapshot, live);
      expect(asBefore.length === 0 || asRestored.length === 0, `${context}: the live state is neither the old nor the restored one: ${asBefore.slice(0, 3).join('; ')}`).toBe(true);

      // A kill inside the swap's few renames can leave the backups dir inside the killed restore's staging dir;
      // the next restore (or create) moves it back before anything else, so every archive is checked after it.
      await restoreOk(archives[next] as string, `${context}, next restore`);
      checkArchivesKept(context);
      expect(diffTrees(trees[next] as TreeSnapshot, liveTree()), `${context}: after the next restore`).toEqual([]);
      current = next;
      // The next restore removes a killed restore's staging dir, unless it holds carried-over backups (kept, warned).
      const beside = besideState().filter((n) => n.startsWith('.openclaw-backup-restore-'));
      const uncleaned = beside.filter((n) => !holdsBackups(path.join(home, n)));
      expect(uncleaned, `${context}: staging dirs of killed restores left after the next restore`).toEqual([]);
      leftovers += beside.length;
      for (const n of besideState()) fs.rmSync(path.join(home, n), { recursive: true, force: true });
      if (i > KILLS * 3) throw new Error(`only ${kills} of ${i} restores were still running at their kill moment`);
    }
    tally.counts.note = `${leftovers} restore staging dirs left beside the state dir by killed restores (each kept because it held carried-over backups)`;
    console.log(`[crash-restore] ${kills} kills; ${leftovers} staging dirs were left behind by killed restores`);
  });
});

function holdsBackups(dir: string, depth = 3): boolean {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    if (entry.name === 'backups') return true;
    if (depth > 1 && holdsBackups(path.join(dir, entry.name), depth - 1)) return true;
  }
  return false;
}
