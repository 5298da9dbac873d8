import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, writeTree } from '../helpers/fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const tarList = (archive: string) => execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n');
const tarRead = (archive: string, entry: string) => execFileSync('tar', ['-xzOf', archive, entry], { encoding: 'utf8' });

/** workspace/memory is a symlink to ~/sync/memory (a synced folder), plugin-skills/x one into an install. */
function linkedHome(followLinks?: string[]): { home: string; state: string; sync: string } {
  const home = makeTempDir();
  dirs.push(home);
  const state = path.join(home, '.openclaw');
  const sync = path.join(home, 'sync', 'memory');
  const block = followLinks ? { followLinks } : {};
  writeTree(home, {
    '.openclaw/openclaw.json': JSON.stringify({ plugins: { entries: { 'openclaw-backup': { config: block } } } }),
    '.openclaw/workspace/MEMORY.md': 'index',
    'sync/memory/2026-11-20.md': 'synced notes',
    'install/skills/x/SKILL.md': 'skill',
  });
  fs.symlinkSync(sync, path.join(state, 'workspace', 'memory'));
  fs.mkdirSync(path.join(state, 'plugin-skills'));
  fs.symlinkSync(path.join(home, 'install', 'skills', 'x'), path.join(state, 'plugin-skills', 'x'));
  return { home, state, sync };
}

describe('a symlink inside the tree to a directory outside every root', () => {
  it('is named in the warnings and in doctor ("not backed up: workspace/memory -> …")', async () => {
    const { home, sync } = linkedHome();
    const archive = path.join(home, 'a.tar.gz');
    const r = await runCli(['create', '--output', archive], { env: { HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning: not backed up: workspace/memory -> ${sync} (a symlink to a directory outside the backup is stored as a link; to back up what it points to, add it to plugins.entries["openclaw-backup"].config.followLinks: ["workspace/memory"])`,
    );
    expect(r.stderr).not.toContain('plugin-skills');
    expect(tarList(archive).filter((e) => e.includes('2026-11-20.md'))).toEqual([]);
    const doctor = await runCli(['doctor'], { env: { HOME: home } });
    expect(doctor.stdout).toContain(
      `warn  links: not backed up: workspace/memory -> ${sync} (a symlink to a directory outside the backup; only the link is archived)`,
    );
    expect(doctor.stdout).toContain(
      'fix: to back up what it points to, add "workspace/memory" to plugins.entries["openclaw-backup"].config.followLinks',
    );
  });

  it('backup.followLinks backs its target up as its own root (the link stays a link); restore puts it back at its real path', async () => {
    const { home, state, sync } = linkedHome(['workspace/memory']);
    const archive = path.join(home, 'a.tar.gz');
    const r = await runCli(['create', '--output', archive, '--only', 'memory'], { env: { HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('not backed up');
    const header = JSON.parse(tarRead(archive, 'openclaw-backup/header.json'));
    const root = header.roots.find((x: { role: string }) => x.role === 'linkTarget');
    expect(root).toEqual({
      id: 'external-1',
      path: sync,
      archivePath: 'openclaw-backup/external/1',
      role: 'linkTarget',
      link: path.join(state, 'workspace', 'memory'),
    });
    const manifest = JSON.parse(tarRead(archive, 'openclaw-backup/manifest.json'));
    const note = manifest.entries.find((e: { path: string }) => e.path === 'openclaw-backup/external/1/2026-11-20.md');
    expect(note).toMatchObject({ type: 'file', component: 'memory' });
    expect(manifest.entries.find((e: { path: string }) => e.path === 'openclaw-backup/state/workspace/memory')).toMatchObject({
      type: 'symlink',
      target: sync,
      external: false,
    });
    expect((await runCli(['verify', archive], { env: { HOME: home } })).code).toBe(0);
    const doctor = await runCli(['doctor'], { env: { HOME: home } });
    expect(doctor.stdout).toMatch(/^ok +links: no symlink leads out of the backup/m);

    fs.rmSync(sync, { recursive: true });
    const restored = await runCli(['restore', archive, '--only', 'memory'], { env: { HOME: home } });
    expect(restored.code, restored.stderr + restored.stdout).toBe(0);
    expect(fs.readFileSync(path.join(sync, '2026-11-20.md'), 'utf8')).toBe('synced notes');
    expect(fs.lstatSync(path.join(state, 'workspace', 'memory')).isSymbolicLink()).toBe(true);
  });

  it('a followLinks entry that is not a symlink to a directory is a warning naming the key', async () => {
    const { home, state } = linkedHome(['workspace/MEMORY.md', 'nope']);
    const r = await runCli(['create', '--dry-run'], { env: { HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning: plugins.entries["openclaw-backup"].config.followLinks[0]: ${state}/workspace/MEMORY.md is not a symlink (what it holds is backed up anyway); skipped`,
    );
    expect(r.stderr).toContain(`warning: plugins.entries["openclaw-backup"].config.followLinks[1]: ${state}/nope does not exist; skipped`);
  });
});
