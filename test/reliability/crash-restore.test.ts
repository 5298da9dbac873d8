import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/fixture.js';
import { sha256Of } from './helpers/archives.js';
import { CLI_PATH, crashSigns, describeRun, runCli } from './helpers/cli.js';
import { runAndKill } from './helpers/kill.js';
import { createRng, scenarioSeed, suiteSeed } from './helpers/rng.js';
import { diffTrees, makeBigState, snapshotTree, unpackRealState, type TreeSnapshot } from './helpers/state.js';
import { createTally } from './helpers/summary.js';

/**
 * Scenario 1b: kill -9 during an in-place restore, at random moments and at every step of the swap. After every
 * kill, the next command that reads the state (list, status, verify, doctor, prune) finds the live state exactly as
 * it was before the restore or exactly the archive's, every archive where it was (the backups dir never moves),
 * nothing left beside the state dir, and the next restore succeeds on its own.
 */
const RESTORE_AT_STEP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'restore-at-step.mjs');
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
  rel === 'backups' || (!rel.includes('/') && rel.startsWith('openclaw-backup')) || rel.endsWith('-shm') || rel.endsWith('-wal');

/** The commands that must first undo a killed restore; each kill is followed by one of them, in turn. */
const READERS = [['list'], ['status'], ['doctor'], ['prune', '--dry-run'], ['verify']];

async function readAfterKill(n: number, context: string): Promise<void> {
  const args = READERS[n % READERS.length] as string[];
  const full = args[0] === 'verify' ? [...args, archives[0] as string] : args;
  const result = await runCli(full, { env, timeoutMs: 60_000 });
  expect(crashSigns(result), `${context}: ${describeRun(full, result)}`).toEqual([]);
  // doctor may find other things to warn about in a test home (no service installed): only a crash matters here.
  if (args[0] !== 'doctor') expect(result.code, `${context}: ${describeRun(full, result)}`).toBe(0);
  expect(result.stdout + result.stderr, `${context}: ${describeRun(full, result)}`).not.toMatch(/stale lock \//);
}

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

      await readAfterKill(i, context);
      const live = liveTree();
      const asBefore = diffTrees(trees[current] as TreeSnapshot, live);
      const asRestored = diffTrees(trees[next] as TreeSnapshot, live);
      expect(
        asBefore.length === 0 || asRestored.length === 0,
        `${context}: the live state is neither the old nor the restored one: ${asBefore.slice(0, 3).join('; ')}`,
      ).toBe(true);

      checkArchivesKept(context);
      expect(
        besideState().filter((n) => n.startsWith('.openclaw-backup-restore-')),
        `${context}: staging dir left after ${READERS[i % READERS.length]?.[0]}`,
      ).toEqual([]);
      await restoreOk(archives[next] as string, `${context}, next restore`);
      expect(diffTrees(trees[next] as TreeSnapshot, liveTree()), `${context}: after the next restore`).toEqual([]);
      current = next;
      for (const n of besideState()) fs.rmSync(path.join(home, n), { recursive: true, force: true });
      if (i > KILLS * 3) throw new Error(`only ${kills} of ${i} restores were still running at their kill moment`);
    }
    console.log(`[crash-restore] ${kills} kills at random moments`);
  });

  it('kill -9 at every step of the swap, before and after it: the next command puts the state back exactly', async () => {
    // The bare fixture: every step of its swap, both sides, in a couple of minutes.
    const fixtureHome = makeTempDir('ocb-rel-restore-steps-');
    try {
      const stepsEnv = { HOME: fixtureHome };
      const state = unpackRealState(fixtureHome);
      const created = await runCli(['create', '--json'], { env: stepsEnv, timeoutMs: 120_000 });
      expect(created.code, describeRun(['create'], created)).toBe(0);
      const archive = (JSON.parse(created.stdout) as { archive: string }).archive;
      const archiveHash = sha256Of(archive);
      fs.writeFileSync(path.join(state, 'workspace', 'MEMORY.md'), 'changed after the backup\n');
      fs.mkdirSync(path.join(state, 'workspace', 'new-folder'));
      const before = snapshotTree(state, notState);
      const pristine = path.join(fixtureHome, 'pristine');
      fs.cpSync(state, pristine, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      const dist = path.dirname(path.dirname(CLI_PATH));
      const atStep = (index: number, when: string) => runNode([RESTORE_AT_STEP, dist, archive, String(index), when], stepsEnv);
      const probe = await atStep(-1, 'none');
      expect(probe.code, probe.stderr).toBe(0);
      const steps = (JSON.parse(probe.stdout) as { steps: number }).steps;
      expect(steps).toBeGreaterThan(10);
      console.log(`[crash-restore] the fixture's swap has ${steps} steps; killing at each, before and after`);
      // Back to the state before that restore.
      for (const name of fs.readdirSync(fixtureHome))
        if (name !== 'pristine') fs.rmSync(path.join(fixtureHome, name), { recursive: true, force: true });
      fs.renameSync(pristine, state);
      expect(diffTrees(before, snapshotTree(state, notState))).toEqual([]);
      for (let index = 0; index < steps; index += 1) {
        for (const when of ['before', 'after']) {
          const context = `kill at step ${index} ${when}`;
          const killed = await atStep(index, when);
          expect(killed.signal, `${context}: ${killed.stderr}`).toBe('SIGKILL');
          tally.counts.kills += 1;
          tally.counts.cases += 1;
          const args = READERS[(index * 2 + (when === 'after' ? 1 : 0)) % READERS.length] as string[];
          const read = await runCli(args[0] === 'verify' ? [...args, archive] : args, { env: stepsEnv, timeoutMs: 60_000 });
          expect(crashSigns(read), `${context}: ${describeRun(args, read)}`).toEqual([]);
          expect(diffTrees(before, snapshotTree(state, notState)), `${context}, after ${args.join(' ')}`).toEqual([]);
          expect(sha256Of(archive), `${context}: the archive changed`).toBe(archiveHash);
          tally.counts.archives += 1;
          expect(
            fs.readdirSync(fixtureHome).filter((n) => n.startsWith('.openclaw')),
            `${context}: left beside the state dir`,
          ).toEqual(['.openclaw']);
          expect(
            fs
              .readdirSync(state)
              .filter((n) => n.startsWith('openclaw-backup') && n !== 'openclaw-backup-status.json' && n !== 'openclaw-backup-id.json'),
            `${context}: locks left`,
          ).toEqual([]);
        }
      }
    } finally {
      fs.rmSync(fixtureHome, { recursive: true, force: true });
    }
  });
});

function runNode(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
