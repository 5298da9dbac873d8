import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { resolveStatePaths } from '../../src/config/paths.js';
import { createBackup } from '../../src/core/backup/create.js';
import { silentLog } from '../../src/core/log.js';
import { runCycle } from '../../src/run/run-cycle.js';
import { readStatus } from '../../src/core/status-record.js';
import { verifyArchive } from '../../src/core/reader/verify-archive.js';
import { makeTempDir, writeTree } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { archivesIn } from './daemon-process.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempHome(): string {
  const dir = makeTempDir();
  dirs.push(dir);
  return dir;
}

const listArchive = (archive: string) => execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n');

describe('a tree that changes or loops while it is backed up', () => {
  it('a directory that vanishes mid-walk is skipped with a warning, like a vanished file', async () => {
    const home = tempHome();
    const paths = resolveStatePaths({ env: { HOME: home } });
    writeTree(paths.stateDir, {
      'openclaw.json': '{}',
      'workspace/a.txt': 'a',
      'workspace/d11/x.txt': 'x',
      'workspace/d11/deep/y.txt': 'y',
      'workspace/z.txt': 'z',
    });
    const config = await loadConfig(paths);
    const d11 = path.join(paths.stateDir, 'workspace', 'd11');
    // The walk lists d11 with its siblings and reads it after them (openclaw.json, a.txt, z.txt): delete it in between.
    const result = await createBackup({
      paths,
      config,
      progress: { start() {}, warning() {}, finish() {}, update: (done) => done.items === 3 && fs.rmSync(d11, { recursive: true }) },
    });
    expect(result.warnings).toContain(`${d11} vanished while it was backed up; skipped`);
    expect(result.files).toBe(3);
    expect((await verifyArchive(result.archive as string)).ok).toBe(true);
    expect(listArchive(result.archive as string)).toContain('openclaw-backup/state/workspace/z.txt');
  });

  it('a backups dir that resolves into the state (backups -> workspace/bk, or backup.path via a link) is never archived', async () => {
    const home = tempHome();
    const state = path.join(home, '.openclaw');
    writeTree(state, { 'openclaw.json': '{}', 'workspace/MEMORY.md': 'notes', 'workspace/bk/': null });
    fs.symlinkSync('workspace/bk', path.join(state, 'backups'));
    for (let i = 0; i < 2; i += 1) {
      const r = await callCli(['create'], { env: { HOME: home } });
      expect(r.code, r.stderr).toBe(0);
    }
    const archives = archivesIn(path.join(state, 'workspace', 'bk'));
    expect(archives).toHaveLength(2);
    for (const name of archives) {
      const entries = listArchive(path.join(state, 'workspace', 'bk', name));
      expect(entries.filter((e) => e.includes('workspace/bk/'))).toEqual([]);
    }

    // The same through a configured path outside the state that links back into it.
    fs.symlinkSync(path.join(state, 'workspace', 'bk'), path.join(home, 'bk-link'));
    fs.writeFileSync(
      path.join(state, 'openclaw.json'),
      JSON.stringify({ plugins: { entries: { 'openclaw-backup': { config: { path: '~/bk-link' } } } } }),
    );
    const r = await callCli(['create', '--json'], { env: { HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    const entries = listArchive(JSON.parse(r.stdout).archive);
    expect(entries.filter((e) => e.includes('workspace/bk/') || e.includes('.openclaw-backup-staging-'))).toEqual([]);
    expect(entries).toContain('openclaw-backup/state/workspace/MEMORY.md');
  });

  it('a state with no config and no files (a half-moved state) is a failure, never "ok", and writes no archive', async () => {
    const home = tempHome();
    const paths = resolveStatePaths({ env: { HOME: home } });
    writeTree(paths.stateDir, { 'openclaw.json': '{}', 'backups/': null });
    const config = await loadConfig(paths);
    // As a restore's swap leaves it for a moment: our files only.
    fs.rmSync(paths.configPath);
    fs.writeFileSync(
      path.join(paths.stateDir, 'openclaw-backup-status.json'),
      JSON.stringify({ version: 1, lastRun: null, lastSuccess: null, nextRunAt: null, daemon: null }),
    );
    await expect(createBackup({ paths, config })).rejects.toMatchObject({
      kind: 'failure',
      message: `nothing to back up: ${paths.stateDir} holds no config and no files in the selected components; no archive was written`,
    });
    const { run, error } = await runCycle({ paths, config, trigger: 'run', log: silentLog });
    expect(error?.kind).toBe('failure');
    expect(run.result).toBe('failed');
    expect((await readStatus(paths.stateDir)).record.lastSuccess).toBeNull();
    expect(archivesIn(path.join(paths.stateDir, 'backups'))).toEqual([]);
    expect(fs.readdirSync(path.join(paths.stateDir, 'backups'))).toEqual([]);
  });
});
