import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { resolveStatePaths, type StatePaths } from '../../src/config/paths.js';
import { createBackup } from '../../src/core/backup/create.js';
import { restoreArchive, type RestoreOptions } from '../../src/core/restore/restore-archive.js';
import type { SwapStep } from '../../src/core/restore/swap.js';
import { makeTempDir, runCli, writeTree } from '../helpers/fixture.js';
import { snapshotTree } from '../helpers/tree.js';
import { fixtureHome, startDaemon } from './daemon-process.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A small state with what the swap must get right: an excluded folder inside a replaced one, cache, our files. */
async function smallState(): Promise<{ home: string; paths: StatePaths; archive: string; options: RestoreOptions }> {
  const home = makeTempDir('ocb-swap-it-');
  dirs.push(home);
  const paths = resolveStatePaths({ env: { HOME: home } });
  const block = { exclude: ['workspace/big/**'] };
  writeTree(paths.stateDir, {
    'openclaw.json': JSON.stringify({ plugins: { entries: { 'openclaw-backup': { config: block } } } }),
    'workspace/MEMORY.md': 'notes',
    'workspace/big/blob.bin': randomBytes(4096),
    'workspace/sub/a.md': 'a',
    'agents/main/sessions/s.jsonl': '{}\n',
    'credentials/token.json': '{"t":1}',
    'cache/models.json': 'cached',
  });
  const config = await loadConfig(paths);
  const created = await createBackup({ paths, config });
  const archive = created.archive as string;
  // The live state moves on after the backup: a changed file, a new one, a deleted one.
  writeTree(paths.stateDir, { 'workspace/MEMORY.md': 'newer notes', 'workspace/NEW.md': 'new', 'cache/more.json': 'more' });
  fs.rmSync(path.join(paths.stateDir, 'workspace/sub/a.md'));
  return { home, paths, archive, options: { archive, paths, openclaw: config.openclaw, backupDir: config.backupDir } };
}

const rollbacksIn = (home: string) =>
  fs.readdirSync(home).filter((n) => n.includes('.rollback-') || n.startsWith('.openclaw-backup-restore-'));

describe('restore swap', () => {
  it('carries over what the selection left out (an excluded folder, cache/) byte for byte, and says so', async () => {
    const { home, paths, archive } = await smallState();
    const keptBefore = {
      big: snapshotTree(path.join(paths.stateDir, 'workspace/big')),
      cache: snapshotTree(path.join(paths.stateDir, 'cache')),
    };
    const backupsIno = fs.statSync(path.join(paths.stateDir, 'backups')).ino;
    const result = await runCli(['restore', archive, '--json'], { env: { HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { carried: string[]; rollback: string[]; newer: string[] };
    expect(snapshotTree(path.join(paths.stateDir, 'workspace/big'))).toEqual(keptBefore.big);
    expect(snapshotTree(path.join(paths.stateDir, 'cache'))).toEqual(keptBefore.cache);
    expect(fs.statSync(path.join(paths.stateDir, 'backups')).ino).toBe(backupsIno);
    expect(report.carried.map((p) => path.relative(paths.stateDir, p)).sort()).toEqual(['backups', 'cache', 'workspace/big']);
    expect(fs.readFileSync(path.join(paths.stateDir, 'workspace/MEMORY.md'), 'utf8')).toBe('notes');
    expect(fs.existsSync(path.join(paths.stateDir, 'workspace/sub/a.md'))).toBe(true);
    const rollback = report.rollback[0] as string;
    expect(fs.existsSync(path.join(rollback, 'workspace/big'))).toBe(false);
    expect(fs.existsSync(path.join(rollback, 'cache'))).toBe(false);
    // What was newer than the archive: warned before the swap, and named with the rollback dir after it.
    expect(report.newer.map((p) => path.relative(paths.stateDir, p)).sort()).toEqual(['workspace/MEMORY.md', 'workspace/NEW.md']);
    expect(result.stderr).toMatch(/2 live files changed after the archive was made .*they will be moved to the rollback copy/);
    expect(fs.readFileSync(path.join(rollback, 'workspace/NEW.md'), 'utf8')).toBe('new');
  });

  it('--dry-run lists added, changed, unchanged, removed, carried over and newer files; writes nothing', async () => {
    const { home, paths, archive } = await smallState();
    const before = snapshotTree(home);
    const result = await runCli(['restore', archive, '--dry-run', '--json'], { env: { HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    const { changes } = JSON.parse(result.stdout) as { changes: Record<string, string[] | number> };
    const rel = (list: unknown) => (list as string[]).map((p) => path.relative(paths.stateDir, p)).sort();
    expect(rel(changes.added)).toEqual(['workspace/sub/a.md']);
    expect(rel(changes.changed)).toEqual(['workspace/MEMORY.md']);
    expect(changes.unchanged).toBe(3);
    expect(rel(changes.removed)).toEqual(['workspace/NEW.md']);
    expect(rel(changes.carried)).toEqual(['backups', 'cache', 'workspace/big']);
    expect(rel(changes.newer)).toEqual(['workspace/MEMORY.md', 'workspace/NEW.md']);
    const text = await runCli(['restore', archive, '--dry-run'], { env: { HOME: home } });
    expect(text.stdout).toMatch(/of 5 files: 1 would be added, 1 changed, 3 unchanged, 1 removed \(moved to the rollback copy\)/);
    expect(text.stdout).toContain('carried over as they are: backups, cache, workspace/big');
    expect(text.stdout).not.toMatch(/replace/);
    expect(snapshotTree(home)).toEqual(before);
  });

  it('a failure injected at any step of the swap, before or after it, leaves the live state exactly as it was', async () => {
    const { home, options } = await smallState();
    const steps: SwapStep[] = [];
    const probe = await smallState();
    await restoreArchive({ ...probe.options, onSwapStep: (step, when) => void (when === 'after' && steps.push(step)) });
    expect(steps.length).toBeGreaterThan(8);
    expect(steps.some((s) => s.op === 'move') && steps.some((s) => s.op === 'mkdir') && steps.some((s) => s.op === 'chmod')).toBe(true);
    const before = snapshotTree(home);
    for (let index = 0; index < steps.length; index += 1) {
      for (const at of ['before', 'after'] as const) {
        const failing: RestoreOptions = {
          ...options,
          onSwapStep: (step, when) => {
            if (step.index === index && when === at) throw new Error(`injected at step ${index} ${at}`);
          },
        };
        await expect(restoreArchive(failing), `step ${index} ${at}`).rejects.toThrow(
          `restore failed, nothing was changed: injected at step ${index} ${at}`,
        );
        expect(snapshotTree(home), `step ${index} ${at}`).toEqual(before);
        expect(rollbacksIn(home)).toEqual([]);
      }
    }
  });

  it('a step that cannot be undone keeps the journal and staging dir; the next command finishes the undo', async () => {
    const { home, paths, options } = await smallState();
    const before = snapshotTree(home);
    const blocker = path.join(paths.stateDir, 'agents');
    const stuck: RestoreOptions = {
      ...options,
      onSwapStep: (step, when) => {
        if (step.op === 'move' && step.from === blocker && when === 'after') fs.mkdirSync(blocker);
        if (step.op === 'move' && step.from.endsWith('openclaw.json') && when === 'after') throw new Error('injected');
      },
    };
    const error = await restoreArchive(stuck).then(
      () => new Error('restore succeeded'),
      (e: Error) => e,
    );
    expect(error.message).toMatch(
      /could not be fully undone: cannot move .*agents back: .*agents exists again.*next openclaw-backup command tries the undo again/,
    );
    const left = rollbacksIn(home).filter((n) => n.startsWith('.openclaw-backup-restore-'));
    expect(left).toHaveLength(1);
    // The failed restore's process has ended (here it is this test process: say so in its journal).
    const journal = path.join(home, left[0] as string, 'journal.jsonl');
    const lines = fs.readFileSync(journal, 'utf8').split('\n');
    lines[0] = JSON.stringify({
      ...JSON.parse(lines[0] as string),
      owner: { pid: 2 ** 22 + 4242, hostname: os.hostname(), command: 'restore', since: 'x' },
    });
    fs.writeFileSync(journal, lines.join('\n'));
    fs.rmdirSync(blocker);
    const listed = await runCli(['list'], { env: { HOME: home } });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).toMatch(/was interrupted mid-swap; it was undone/);
    expect(snapshotTree(home)).toEqual(before);
  });

  it('no backup runs beside a restore: a create during the swap waits and exits 4; a dir appearing mid-swap is kept', async () => {
    const { home, paths, options } = await smallState();
    const archivesBefore = snapshotTree(path.join(paths.stateDir, 'backups'));
    // The daemon has its config loaded already; a CLI create reads a copy, as openclaw.json is mid-swap.
    const config = path.join(home, 'openclaw.json');
    fs.copyFileSync(path.join(paths.stateDir, 'openclaw.json'), config);
    let create: Promise<{ code: number | null; stderr: string }> | undefined;
    const restored = await restoreArchive({
      ...options,
      onSwapStep: async (step, when) => {
        if (step.index !== 3 || when !== 'after') return;
        // As the daemon's backup used to: create <state>/backups between two renames (here: a new file in it).
        fs.writeFileSync(path.join(paths.stateDir, 'backups', 'written-mid-swap'), 'x');
        create = runCli(['--config', config, 'create', '--lock-wait', '1'], { env: { HOME: home } });
        const done = await create;
        expect(done.code, done.stderr).toBe(4);
      },
    });
    const done = await create;
    expect(done?.stderr).toMatch(/state dir .* is locked by pid \d+ .*openclaw-backup restore.*openclaw-backup-op\.lock/);
    expect(restored.rollback).toHaveLength(1);
    const archivesAfter = snapshotTree(path.join(paths.stateDir, 'backups'));
    expect(archivesAfter).toEqual({ ...archivesBefore, 'written-mid-swap': expect.stringMatching(/^file /) });
    const after = await runCli(['create'], { env: { HOME: home } });
    expect(after.code, after.stderr).toBe(0);
  });

  it('a lock being taken mid-swap (its temp dir comes and goes) is left alone', async () => {
    const { paths, options } = await smallState();
    const temp = path.join(paths.stateDir, `openclaw-backup-op.lock.${process.pid}-00ff00ff.tmp`);
    const restored = await restoreArchive({
      ...options,
      // Said after the swap is planned and before it starts: a waiting backup's lock attempt appears then.
      onWarning: () => fs.mkdirSync(temp),
      onSwapStep: (step, when) => {
        if (step.index === 0 && when === 'before') fs.rmdirSync(temp);
      },
    });
    expect(restored.rollback).toHaveLength(1);
    expect(fs.existsSync(path.join(restored.rollback[0] as string, path.basename(temp)))).toBe(false);
  });

  it("keeps a running daemon's lock and the status record in place: status keeps lastRun, a second daemon still exits 78", async () => {
    const home = makeTempDir('ocb-swap-daemon-');
    dirs.push(home);
    const fx = fixtureHome(home, { auto: false });
    const ran = await runCli(['run', '--json'], { env: fx.env });
    expect(ran.code, ran.stderr).toBe(0);
    const { archive } = JSON.parse(ran.stdout) as { archive: string };
    const daemon = startDaemon(fx.env);
    try {
      await daemon.waitFor((r) => r.msg === 'daemon ready');
      const before = JSON.parse((await runCli(['status', '--json'], { env: fx.env })).stdout) as { lastRun: unknown; daemon: unknown };
      expect(before.lastRun).not.toBeNull();
      const restored = await runCli(['restore', archive, '--json'], { env: fx.env });
      expect(restored.code, restored.stderr).toBe(0);
      const rollback = (JSON.parse(restored.stdout) as { rollback: string[] }).rollback[0] as string;
      expect(fs.existsSync(path.join(rollback, 'openclaw-backup-daemon.lock'))).toBe(false);
      expect(fs.existsSync(path.join(rollback, 'openclaw-backup-status.json'))).toBe(false);
      const after = JSON.parse((await runCli(['status', '--json'], { env: fx.env })).stdout) as { lastRun: unknown; daemon: unknown };
      expect(after.lastRun).toEqual(before.lastRun);
      expect(after.daemon).toMatchObject({ running: true, pid: daemon.child.pid });
      const second = await runCli(['daemon'], { env: fx.env, timeoutMs: 60_000 });
      expect(second.code, second.stderr).toBe(78);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    expect(fs.existsSync(path.join(fx.stateDir, 'openclaw-backup-daemon.lock'))).toBe(false);
  });
});
