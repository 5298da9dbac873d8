import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, writeTree } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { archivesIn } from './daemon-process.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A small state whose backup.path is `dir` (made with `mode`), or a link to it. */
function homeWithBackupsDir(mode: number, link = false): { home: string; dir: string; configured: string } {
  const home = makeTempDir();
  dirs.push(home);
  const dir = path.join(home, 'archives');
  fs.mkdirSync(dir);
  fs.chmodSync(dir, mode);
  const configured = link ? path.join(home, 'archives-link') : dir;
  if (link) fs.symlinkSync(dir, configured);
  writeTree(home, {
    '.openclaw/openclaw.json': JSON.stringify({ plugins: { entries: { 'openclaw-backup': { config: { path: configured } } } } }),
    '.openclaw/workspace/MEMORY.md': 'notes',
  });
  return { home, dir, configured };
}

describe('the backups dir mode is enforced, judged by what the dir really is', () => {
  it('world-writable without the sticky bit → create and run refuse (exit 2), nothing written', async () => {
    const { home, dir } = homeWithBackupsDir(0o777);
    for (const command of ['create', 'run']) {
      const r = await callCli([command], { env: { HOME: home } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `openclaw-backup: plugins.entries["openclaw-backup"].config.path: backups dir ${dir} is writable by everyone without the sticky bit (mode 0777): anyone could delete or replace archives; run chmod 700 ${dir}`,
      );
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('1777 (sticky) is used with a warning; a symlink to a 0755 dir is judged by its target', async () => {
    const sticky = homeWithBackupsDir(0o1777);
    const r = await callCli(['create'], { env: { HOME: sticky.home } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning: backups dir ${sticky.dir} is accessible by group or others (mode 1777): archive names and sizes are visible, and others can delete them; run chmod 700 ${sticky.dir}`,
    );
    expect(archivesIn(sticky.dir)).toHaveLength(1);

    const linked = homeWithBackupsDir(0o755, true);
    const run = await callCli(['run'], { env: { HOME: linked.home } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `backups dir ${linked.configured} (a link to ${linked.dir}) is accessible by group or others (mode 0755): archive names and sizes are visible; run chmod 700 ${linked.dir}`,
    );
    const doctor = await callCli(['doctor'], { env: { HOME: linked.home } });
    expect(doctor.stdout).toMatch(new RegExp(`warn +permissions: backups dir ${linked.dir}: mode 0755, want 0700`));
    fs.chmodSync(linked.dir, 0o777);
    const worse = await callCli(['doctor'], { env: { HOME: linked.home } });
    expect(worse.stdout).toMatch(
      new RegExp(`error +permissions: backups dir \\(writable by everyone: create refuses it\\) ${linked.dir}: mode 0777, want 0700`),
    );
  });
});
