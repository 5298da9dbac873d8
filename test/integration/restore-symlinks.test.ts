import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDocs } from '../helpers/craft.js';
import { CLI, makeTempDir, runCli, unpackFixture, writeTree } from '../helpers/fixture.js';
import { snapshotTree } from '../helpers/tree.js';

let sandbox: string;
beforeEach(() => {
  sandbox = makeTempDir('ocb-links-');
});
afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));

/** The real fixture at <sandbox>/data/.openclaw, reached by the user as <home>/.openclaw (a symlink). */
function linkedState(): { home: string; real: string; link: string } {
  const home = path.join(sandbox, 'home');
  const real = unpackFixture(path.join(sandbox, 'data'));
  const config = path.join(real, 'openclaw.json');
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replaceAll('/home/openclaw/', `${home}/`));
  fs.mkdirSync(home);
  const link = path.join(home, '.openclaw');
  fs.symlinkSync(real, link);
  return { home, real, link };
}

function tarNames(archive: string): string[] {
  return execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('roots the user names are backed up where they lead (issue 20.1)', () => {
  it('a symlinked ~/.openclaw: its content is archived, restored behind the kept link, and on a fresh HOME as a directory', async () => {
    const { home, real, link } = linkedState();
    const archive = path.join(sandbox, 'a.tar.gz');
    const created = await runCli(['create', '--output', archive], { env: { HOME: home } });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/ 3\d files/);
    const names = tarNames(archive);
    expect(names).toContain('openclaw-backup/state/openclaw.json');
    expect(names).toContain('openclaw-backup/state/agents/main/agent/openclaw-agent.sqlite');
    const { header } = readDocs(archive);
    expect(header.stateDir).toBe(link);
    expect(header.roots[0]).toMatchObject({ id: 'state', path: real, linkPath: link });
    expect((await runCli(['verify', archive], { env: { HOME: home } })).code).toBe(0);

    // The backups dir inside the linked state is excluded by its real path: archives never hold archives.
    for (let i = 0; i < 2; i += 1) expect((await runCli(['create'], { env: { HOME: home } })).code).toBe(0);
    const kept = fs
      .readdirSync(path.join(real, 'backups'))
      .filter((n) => n.endsWith('.tar.gz'))
      .sort();
    expect(kept).toHaveLength(2);
    expect(tarNames(path.join(real, 'backups', kept[1] as string)).filter((n) => n.includes('backups'))).toEqual([]);

    fs.writeFileSync(path.join(real, 'workspace', 'SOUL.md'), 'changed');
    const restored = await runCli(['restore', '--json', archive], { env: { HOME: home } });
    expect(restored.code, restored.stderr).toBe(0);
    const report = JSON.parse(restored.stdout);
    expect(report).toMatchObject({ target: real, targetLink: link });
    expect(fs.readlinkSync(link)).toBe(real);
    expect(fs.readFileSync(path.join(real, 'workspace', 'SOUL.md'), 'utf8')).toMatch(/^# SOUL\.md/);
    expect(report.rollback[0]).toMatch(new RegExp(`^${real}\\.rollback-`));
    expect(fs.readFileSync(path.join(report.rollback[0], 'workspace', 'SOUL.md'), 'utf8')).toBe('changed');
    expect(fs.readdirSync(path.join(real, 'backups')).filter((n) => n.endsWith('.tar.gz'))).toHaveLength(2);

    const fresh = path.join(sandbox, 'fresh');
    const moved = await runCli(['restore', archive], { env: { HOME: fresh } });
    expect(moved.code, moved.stderr).toBe(0);
    const state = path.join(fresh, '.openclaw');
    expect(fs.lstatSync(state).isDirectory()).toBe(true);
    const config = JSON.parse(fs.readFileSync(path.join(state, 'openclaw.json'), 'utf8'));
    expect(config.agents.defaults.workspace).toBe(path.join(state, 'workspace'));
    expect(fs.existsSync(path.join(state, 'agents/main/agent/openclaw-agent.sqlite'))).toBe(true);
  });

  it('workspaces that are symlinks (outside the state dir and inside it) are archived with their content and restored behind their links', async () => {
    const home = path.join(sandbox, 'home');
    writeTree(sandbox, {
      'home/.openclaw/openclaw.json':
        '{ agents: { defaults: { workspace: "~/.openclaw/workspace" }, entries: { other: { workspace: "~/extws" } } } }',
      'sync/ws/SOUL.md': 'soul in sync',
      'mnt/ext/NOTES.md': 'ext notes',
    });
    fs.symlinkSync(path.join(sandbox, 'sync/ws'), path.join(home, '.openclaw/workspace'));
    fs.symlinkSync(path.join(sandbox, 'mnt/ext'), path.join(home, 'extws'));
    const archive = path.join(sandbox, 'ws.tar.gz');
    const created = await runCli(['create', '--output', archive], { env: { HOME: home } });
    expect(created.code, created.stderr).toBe(0);
    expect(tarNames(archive)).toEqual(
      expect.arrayContaining(['openclaw-backup/external/1/SOUL.md', 'openclaw-backup/external/2/NOTES.md']),
    );
    expect(tarNames(archive)).not.toContain('openclaw-backup/state/workspace');
    expect(
      readDocs(archive)
        .header.roots.slice(1)
        .map((r: { path: string; linkPath: string }) => [r.path, r.linkPath]),
    ).toEqual([
      [path.join(sandbox, 'sync/ws'), path.join(home, '.openclaw/workspace')],
      [path.join(sandbox, 'mnt/ext'), path.join(home, 'extws')],
    ]);

    fs.writeFileSync(path.join(sandbox, 'sync/ws/SOUL.md'), 'changed');
    fs.writeFileSync(path.join(sandbox, 'mnt/ext/NOTES.md'), 'changed');
    const restored = await runCli(['restore', archive], { env: { HOME: home } });
    expect(restored.code, restored.stderr).toBe(0);
    expect(fs.readFileSync(path.join(sandbox, 'sync/ws/SOUL.md'), 'utf8')).toBe('soul in sync');
    expect(fs.readFileSync(path.join(sandbox, 'mnt/ext/NOTES.md'), 'utf8')).toBe('ext notes');
    expect(fs.readlinkSync(path.join(home, '.openclaw/workspace'))).toBe(path.join(sandbox, 'sync/ws'));
    expect(fs.readlinkSync(path.join(home, 'extws'))).toBe(path.join(sandbox, 'mnt/ext'));
    expect(restored.stdout).toMatch(/behind the symlink .*extws/);

    const fresh = path.join(sandbox, 'fresh');
    expect((await runCli(['restore', archive], { env: { HOME: fresh } })).code).toBe(0);
    expect(fs.readFileSync(path.join(fresh, '.openclaw/workspace/SOUL.md'), 'utf8')).toBe('soul in sync');
    expect(fs.readFileSync(path.join(fresh, 'extws/NOTES.md'), 'utf8')).toBe('ext notes');
  });

  it('a backup that would hold no config and no files fails (exit 1) and writes no archive', async () => {
    const home = path.join(sandbox, 'home');
    // The config takes only logs, and there are none: the archive would hold nothing at all.
    writeTree(home, { '.openclaw/openclaw.json': '{ plugins: { entries: { "openclaw-backup": { config: { include: ["logs"] } } } } }' });
    for (const args of [['create'], ['create', '--dry-run'], ['run']]) {
      const result = await runCli(args, { env: { HOME: home } });
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toMatch(/nothing to back up: .*\.openclaw holds no config and no files/);
    }
    expect(fs.readdirSync(path.join(home, '.openclaw', 'backups')).filter((n) => n.includes('.tar'))).toEqual([]);
  });
});

describe('restore never writes through a live symlink (issue 20.4) and never into the backups or state dir (20.6)', () => {
  async function fixtureHome(): Promise<{ home: string; state: string; archive: string }> {
    const home = path.join(sandbox, 'home');
    const state = unpackFixture(home);
    const config = path.join(state, 'openclaw.json');
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replaceAll('/home/openclaw/', `${home}/`));
    const created = await runCli(['create'], { env: { HOME: home } });
    expect(created.code, created.stderr).toBe(0);
    const archive = path.join(state, 'backups', fs.readdirSync(path.join(state, 'backups')).find((n) => n.endsWith('.tar.gz')) as string);
    return { home, state, archive };
  }

  it('--only memory with workspace/memory a live symlink to an outside dir: the link goes to the rollback, the outside dir is untouched', async () => {
    const { home, state, archive } = await fixtureHome();
    const outside = path.join(sandbox, 'outside-notes');
    writeTree(outside, { '2026-11-20.md': "someone else's notes" });
    const memory = path.join(state, 'workspace', 'memory');
    fs.renameSync(memory, path.join(sandbox, 'archived-memory'));
    fs.symlinkSync(outside, memory);
    const before = snapshotTree(outside);
    const result = await runCli(['restore', '--only', 'memory', archive], { env: { HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    expect(snapshotTree(outside)).toEqual(before);
    expect(fs.lstatSync(memory).isDirectory()).toBe(true);
    expect(snapshotTree(memory)).toEqual(snapshotTree(path.join(sandbox, 'archived-memory')));
    const rollback = /previous state moved to (\S+)/.exec(result.stdout)?.[1] as string;
    expect(result.stdout).toContain(
      `warning: ${memory} -> ${outside} stood where restored files go: moved to ${rollback}, restored as a directory`,
    );
    expect(fs.readlinkSync(path.join(rollback, 'state', 'workspace', 'memory'))).toBe(outside);
  });

  it('refuses a --target that is, is inside or contains the state dir or the backups dir (exit 2); every archive stays listed', async () => {
    const { home, state, archive } = await fixtureHome();
    const before = snapshotTree(sandbox);
    for (const target of [path.join(state, 'backups'), state, path.join(state, 'workspace'), path.join(state, 'backups', 'sub')]) {
      const result = await runCli(['restore', '--force', '--target', target, archive], { env: { HOME: home } });
      expect(result.code, `${target}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/refusing to restore into .*: it is, is inside or contains the (backups|state) dir/);
    }
    expect(snapshotTree(sandbox)).toEqual(before);
    const listed = JSON.parse((await runCli(['list', '--json'], { env: { HOME: home } })).stdout);
    expect(listed).toHaveLength(1);
  });

  it('an archive that is a FIFO is refused at once, not waited on', async () => {
    const fifo = path.join(sandbox, 'backup.tar.gz');
    execFileSync('mkfifo', [fifo]);
    writeTree(sandbox, { 'home/.openclaw/openclaw.json': '{}' });
    for (const args of [
      ['verify', fifo],
      ['restore', '--target', path.join(sandbox, 't'), fifo],
    ]) {
      const result = await runCli(args, { env: { HOME: path.join(sandbox, 'home') }, timeoutMs: 60_000 });
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(/backup\.tar\.gz:? is not a regular file/);
    }
  });

  it('SIGTERM while staging: exit 130, the live state untouched, no staging dir left', async () => {
    const { home, state } = await fixtureHome();
    fs.writeFileSync(path.join(state, 'workspace', 'big.bin'), randomBytes(48 << 20));
    const archive = path.join(sandbox, 'big.tar');
    expect((await runCli(['create', '--compress', 'none', '--output', archive], { env: { HOME: home } })).code).toBe(0);
    const before = snapshotTree(state);
    const child = spawn(process.execPath, [CLI, 'restore', '--force', archive], {
      env: { PATH: process.env.PATH, HOME: home },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 120_000;
    while (!fs.readdirSync(home).some((n) => n.startsWith('.openclaw-backup-restore-')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    expect(await exited).toBe(130);
    clearTimeout(timer);
    expect(snapshotTree(state)).toEqual(before);
    expect(fs.readdirSync(home).filter((n) => n.startsWith('.openclaw-backup-restore-') || n.includes('rollback'))).toEqual([]);
  });
});

describe('doctor --fix works on the state behind a symlinked ~/.openclaw and never chmods through a link (issue 20.3)', () => {
  it('fixes a loose secret in the real state dir; a link inside pointing at an outside file leaves that file alone', async () => {
    const { home, real } = linkedState();
    const secret = path.join(real, 'credentials', 'loose.json');
    writeTree(real, { 'credentials/loose.json': '{}' });
    fs.chmodSync(secret, 0o644);
    const outsideFile = path.join(sandbox, 'outside.json');
    fs.writeFileSync(outsideFile, '{}');
    fs.chmodSync(outsideFile, 0o644);
    fs.symlinkSync(outsideFile, path.join(real, 'credentials', 'linked.json'));
    const result = await runCli(['doctor', '--fix'], { env: { HOME: home } });
    expect(result.stdout).toContain(`fixed: chmod 0600 ${secret}`);
    expect(fs.statSync(secret).mode & 0o777).toBe(0o600);
    expect(fs.statSync(outsideFile).mode & 0o777).toBe(0o644);
  });
});
