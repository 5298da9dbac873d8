import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, unpackFixture } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { restic, snapshotsOf, writePasswordFile, type ResticCall } from '../helpers/restic.js';
import { snapshotTree } from '../helpers/tree.js';

let home: string;
let stateDir: string;
let repo: string;
let passwordFile: string;
let call: ResticCall;
const PLUGIN_KEY = 'plugins.entries["openclaw-backup"].config';

function setBlock(block: Record<string, unknown>): void {
  const configPath = path.join(stateDir, 'openclaw.json');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { plugins: { entries: Record<string, unknown> } };
  config.plugins.entries['openclaw-backup'] = { config: block };
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
}

const env = () => ({ HOME: home });
const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => callCli(args, { env: { ...env(), ...extra } });
const contents = (root: string) =>
  Object.fromEntries(
    Object.entries(
      snapshotTree(root, (rel) => rel === 'backups' || rel === 'openclaw-backup.lock' || rel === 'openclaw-backup-status.json'),
    ).map(([k, v]) => [k, v.replace(/^(file|dir) [0-7]+/, '$1')]),
  );

beforeEach(() => {
  home = makeTempDir('ocb-restic-');
  stateDir = unpackFixture(home);
  repo = path.join(home, 'repo');
  passwordFile = writePasswordFile(home);
  call = { repo, passwordFile };
  setBlock({ repository: { url: repo, passwordFile } });
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

// Each case runs several real restic commands: a loaded machine can take minutes, a quiet one seconds.
describe('restic repository (local)', { timeout: 300_000 }, () => {
  it('create --init, list, status, verify by id; restore in place, --only, --dry-run, --target, new HOME', async () => {
    const first = await cli(['create', '--init', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`initialised repository ${repo}`);
    const created = JSON.parse(first.stdout) as { archive: string; snapshot: string; repository: string; bytes: number };
    expect(created.archive).toMatch(/^[0-9a-f]{8}$/);
    expect(created.snapshot.startsWith(created.archive)).toBe(true);
    expect(created.repository).toBe(repo);
    const [snapshot] = snapshotsOf(call);
    expect(snapshot?.id).toBe(created.snapshot);
    expect(snapshot?.hostname).toBe(os.hostname());
    expect(snapshot?.tags).toEqual(expect.arrayContaining(['openclaw-backup', 'profile:default']));
    // restic read the state dir itself (no copy, no tar), plus our meta dir: header, manifest lists, database snapshots.
    const nodes = restic(call, ['ls', '--json', created.snapshot]);
    const meta = path.join(home, '.cache', 'openclaw-backup');
    expect(snapshot?.paths).toEqual(expect.arrayContaining([stateDir]));
    expect(nodes).toContain(`"path":"${stateDir}/openclaw.json"`);
    expect(nodes).toContain('/.openclaw-backup-snapshot/header.json"');
    expect(nodes).toContain('/.openclaw-backup-snapshot/entries/@roots.jsonl"');
    expect(nodes).toContain('/.openclaw-backup-snapshot/files/openclaw-backup/state/state/openclaw.sqlite"');
    // The live database and its WAL are not read by restic (the snapshot stands in for them); nothing of the mirror.
    expect(nodes).not.toContain(`"path":"${stateDir}/state/openclaw.sqlite"`);
    expect(nodes).not.toContain('-wal"');
    expect(nodes).not.toContain('.openclaw-backup-mirror');
    // Nothing of the state is kept on local disk: no backups dir is even made.
    expect(fs.existsSync(path.join(stateDir, 'backups'))).toBe(false);
    expect(fs.existsSync(meta)).toBe(true);

    fs.writeFileSync(path.join(stateDir, 'workspace/SOUL.md'), 'second night');
    const second = await cli(['create', '--verify', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ verified: true });

    const list = await cli(['list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout) as {
      archive: string;
      createdAt: string;
      bytes: number;
      snapshot: string;
      repository: string;
      components: string[];
    }[];
    expect(listed).toHaveLength(2);
    expect(listed[1]).toMatchObject({
      archive: created.archive,
      snapshot: created.snapshot,
      repository: repo,
      bytes: (JSON.parse(first.stdout) as { contentBytes: number }).contentBytes,
      profile: 'default',
      encrypted: false,
    });
    expect(listed[0]?.components).toContain('config');
    expect(Date.parse(listed[0]?.createdAt as string)).toBeGreaterThanOrEqual(Date.parse(listed[1]?.createdAt as string));

    const status = await cli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).archives).toMatchObject({
      kind: 'restic',
      dir: repo,
      count: 2,
      newest: listed[0]?.archive,
      storedBytes: expect.any(Number),
    });

    const verify = await cli(['verify', created.snapshot.slice(0, 12)]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`ok: snapshot ${created.archive} in ${repo}`);
    expect(verify.stdout).toContain('every SHA-256 matches the manifest');

    // In place: the second night's change is rolled back to the first snapshot's content.
    const before = contents(stateDir);
    const dry = await cli(['restore', created.archive, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`change  ${path.join(stateDir, 'workspace/SOUL.md')}`);
    expect(contents(stateDir)).toEqual(before);

    fs.writeFileSync(path.join(stateDir, 'workspace/SOUL.md'), 'broken');
    const only = await cli(['restore', 'latest', '--only', 'workspace']);
    expect(only.code, only.stderr).toBe(0);
    expect(fs.readFileSync(path.join(stateDir, 'workspace/SOUL.md'), 'utf8')).toBe('second night');

    const inPlace = await cli(['restore', created.archive, '--json']);
    expect(inPlace.code, inPlace.stderr).toBe(0);
    expect(JSON.parse(inPlace.stdout).rollback).toHaveLength(1);
    expect(fs.readFileSync(path.join(stateDir, 'workspace/SOUL.md'), 'utf8')).not.toBe('second night');

    const copy = path.join(home, 'copy');
    const target = await cli(['restore', 'latest', '--target', copy]);
    expect(target.code, target.stderr).toBe(0);
    expect(fs.readFileSync(path.join(copy, 'workspace/SOUL.md'), 'utf8')).toBe('second night');

    // A new HOME with no config: the repository comes from the flags, the snapshot by id.
    const newHome = makeTempDir('ocb-restic-newhome-');
    try {
      const migrated = await callCli(
        ['restore', listed[0]?.snapshot as string, '--repository', repo, '--repository-password-file', passwordFile],
        { env: { HOME: newHome } },
      );
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(fs.readFileSync(path.join(newHome, '.openclaw', 'workspace/SOUL.md'), 'utf8')).toBe('second night');
    } finally {
      fs.rmSync(newHome, { recursive: true, force: true });
    }
  });

  it('retention forgets only our own snapshots: another host and another tool in the same repository survive', async () => {
    setBlock({ repository: { url: repo, passwordFile }, retention: 1 });
    expect((await cli(['repository', 'init'])).code).toBe(0);
    restic(
      call,
      ['backup', '--stdin', '--stdin-filename', 'x.tar', '--host', 'other-host', '--tag', 'openclaw-backup,profile:default'],
      'theirs',
    );
    restic(call, ['backup', '--stdin', '--stdin-filename', 'y.txt', '--tag', 'other-tool'], 'not ours');
    restic(call, ['backup', '--stdin', '--stdin-filename', 'z.tar', '--tag', 'openclaw-backup,profile:work'], 'another profile');
    for (let i = 0; i < 3; i += 1) expect((await cli(['create'])).code).toBe(0);
    expect(JSON.parse((await cli(['list', '--json'])).stdout)).toHaveLength(3);

    const dry = await cli(['prune', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, dir: repo, kept: [{ reasons: ['last'] }] });
    expect(JSON.parse(dry.stdout).removed).toHaveLength(2);
    expect(snapshotsOf(call)).toHaveLength(6);

    const prune = await cli(['prune']);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stdout).toContain(`1 kept, 2 removed in ${repo}`);
    const left = snapshotsOf(call);
    expect(left).toHaveLength(4);
    expect(left.filter((s) => s.hostname === 'other-host')).toHaveLength(1);
    expect(left.filter((s) => s.tags?.includes('other-tool'))).toHaveLength(1);
    expect(left.filter((s) => s.tags?.includes('profile:work'))).toHaveLength(1);
    expect(restic(call, ['check'])).toContain('no errors were found');
  });

  it('a sparse file keeps its holes and its content through a snapshot (the manifest records the holes, restore writes them back)', async () => {
    const sparse = path.join(stateDir, 'workspace/disk.img');
    const fd = fs.openSync(sparse, 'w', 0o600);
    fs.writeSync(fd, 'start');
    fs.writeSync(fd, 'middle', 6 * 1024 * 1024);
    fs.ftruncateSync(fd, 16 * 1024 * 1024);
    fs.closeSync(fd);
    const made = await cli(['create', '--init', '--verify']);
    expect(made.code, made.stderr).toBe(0);
    const copy = path.join(home, 'copy');
    const restore = await cli(['restore', 'latest', '--target', copy]);
    expect(restore.code, restore.stderr).toBe(0);
    const restored = path.join(copy, 'workspace/disk.img');
    expect(fs.readFileSync(restored).equals(fs.readFileSync(sparse))).toBe(true);
    expect(fs.statSync(restored).blocks * 512).toBeLessThan(1024 * 1024);
    // Browsing takes the same one-off flags, and shows the file's real size, not the stored one.
    setBlock({});
    const listed = await cli(['ls', 'latest', 'workspace', '--json', '--repository', repo, '--repository-password-file', passwordFile]);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { entries: { path: string; size: number }[] }).entries).toContainEqual(
      expect.objectContaining({ path: 'workspace/disk.img', size: 16 * 1024 * 1024 }),
    );
  });

  it('a damaged pack is exit 3 naming the snapshot, for verify and restore (nothing restored)', async () => {
    const made = await cli(['create', '--init', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const { archive } = JSON.parse(made.stdout) as { archive: string };
    const packs = fs
      .readdirSync(path.join(repo, 'data'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name));
    const dataPacks = packs.filter((p) => fs.statSync(p).size > 16 * 1024);
    expect(dataPacks.length).toBeGreaterThan(0);
    for (const pack of dataPacks) {
      fs.chmodSync(pack, 0o600);
      const bytes = fs.readFileSync(pack);
      for (let i = 2000; i < 2100; i += 1) bytes[i] = (bytes[i] as number) ^ 0xff;
      fs.writeFileSync(pack, bytes);
    }
    const verify = await cli(['verify', 'latest']);
    expect(verify.code, verify.stderr).toBe(3);
    expect(verify.stderr.trim().split('\n')).toHaveLength(1);
    expect(verify.stderr).toContain(`snapshot ${archive} in ${repo}`);
    expect(verify.stderr).toMatch(/ciphertext verification failed|could not read/);

    const copy = path.join(home, 'copy');
    const restore = await cli(['restore', 'latest', '--target', copy]);
    expect(restore.code, restore.stderr).toBe(3);
    expect(restore.stderr).toContain(`snapshot ${archive} in ${repo}`);
    expect(fs.existsSync(copy)).toBe(false);
  });

  it('wrong password, uninitialised repository, loose password file, missing restic: one line, exit 2, nothing written', async () => {
    const uninitialised = await cli(['create']);
    expect(uninitialised.code).toBe(2);
    expect(uninitialised.stderr).toContain(
      `${PLUGIN_KEY}.repository: no restic repository at ${repo}; create one with: openclaw-backup repository init`,
    );
    expect(uninitialised.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(repo)).toBe(false);

    expect((await cli(['repository', 'init'])).stdout).toContain(`Initialised restic repository ${repo}`);
    expect((await cli(['repository', 'init'])).stdout).toContain('already initialised');
    const wrong = writePasswordFile(makeTempDir('ocb-restic-pw-'), 'not the password');
    try {
      const denied = await cli(['list', '--repository-password-file', wrong]);
      expect(denied.code).toBe(2);
      expect(denied.stderr.trim()).toBe(
        `openclaw-backup: --repository-password-file: wrong password for repository ${repo} (restic: wrong password or no key found)`,
      );
      const created = await cli(['create', '--repository-password-file', wrong]);
      expect(created.code).toBe(2);
      expect(snapshotsOf(call)).toHaveLength(0);
    } finally {
      fs.rmSync(path.dirname(wrong), { recursive: true, force: true });
    }

    fs.chmodSync(passwordFile, 0o644);
    const loose = await cli(['create']);
    expect(loose.code).toBe(2);
    expect(loose.stderr).toContain(
      `${PLUGIN_KEY}.repository.passwordFile: password file ${passwordFile} is accessible by group or others (mode 0644); run: chmod 600`,
    );
    fs.chmodSync(passwordFile, 0o600);

    // PATH with node and nothing else: no restic.
    const bin = path.join(home, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const missing = await callCli(['create'], { env: { ...env(), PATH: bin } });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n').at(-1)).toBe(
      `openclaw-backup: ${PLUGIN_KEY}.repository: restic is not installed (not found on PATH); install it: Debian/Ubuntu \`apt install restic\`, macOS \`brew install restic\``,
    );
    expect(snapshotsOf(call)).toHaveLength(0);
  });

  it('doctor: restic version, password file mode, reachability and the last snapshot', async () => {
    type Finding = { id: string; level: string; message: string; fix?: string };
    const doctor = async () => JSON.parse((await cli(['doctor', '--json'])).stdout) as { findings: Finding[] };
    const finding = (report: { findings: Finding[] }, id: string) => report.findings.find((f) => f.id === id);
    const before = await doctor();
    expect(finding(before, 'repository-restic')).toMatchObject({ level: 'ok', message: expect.stringMatching(/^restic 0\.\d+\.\d+/) });
    expect(finding(before, 'repository-password')).toMatchObject({ level: 'ok' });
    expect(finding(before, 'repository-reachable')).toMatchObject({ level: 'error', fix: 'openclaw-backup repository init' });
    expect((await cli(['create', '--init'])).code).toBe(0);
    const after = await doctor();
    expect(finding(after, 'repository-reachable')).toMatchObject({
      level: 'ok',
      message: expect.stringMatching(/1 snapshot\(s\) of this state, last snapshot [0-9a-f]{8} 0\.0 hours ago/),
    });
    expect(finding(after, 'newest-archive')).toMatchObject({ level: 'ok' });
    fs.chmodSync(passwordFile, 0o640);
    expect(finding(await doctor(), 'repository-password')).toMatchObject({ level: 'error', fix: `chmod 600 ${passwordFile}` });
  });

  it('age encryption with a repository is refused with the reason; the password stays out of hooks and exports', async () => {
    setBlock({ repository: { url: repo, passwordFile }, encrypt: { passphraseEnv: 'X' } });
    const both = await cli(['create']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(`${PLUGIN_KEY}.encrypt: not used with repository: restic encrypts every snapshot`);

    const secret = 'hunter2-very-unique-password';
    const hookOut = path.join(home, 'hook-env.txt');
    setBlock({
      repository: { url: repo, passwordEnv: 'OCB_REPO_PASSWORD' },
      postBackup: `env > ${hookOut}; echo "$OPENCLAW_BACKUP_ARCHIVE $OPENCLAW_BACKUP_DIR" >> ${hookOut}`,
    });
    const withPassword = { OCB_REPO_PASSWORD: secret };
    expect((await cli(['repository', 'init'], withPassword)).code).toBe(0);
    const flagged = await cli(['create', '--encrypt-to', 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'], withPassword);
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toContain('age encryption is not used with it');

    const run = await cli(['run', '--json'], withPassword);
    expect(run.code, run.stderr).toBe(0);
    const hookEnv = fs.readFileSync(hookOut, 'utf8');
    expect(hookEnv).not.toContain(secret);
    expect(hookEnv).not.toContain('OCB_REPO_PASSWORD');
    expect(hookEnv).toMatch(new RegExp(`^[0-9a-f]{8} ${repo}$`, 'm'));
    expect(run.stdout + run.stderr).not.toContain(secret);
    const status = await cli(['status', '--json'], withPassword);
    expect(status.stdout).not.toContain(secret);

    setBlock({ repository: { url: `rest:https://backup:${secret}@127.0.0.1:1/`, passwordFile } });
    const exported = await cli(['config', 'export']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).not.toContain(secret);
  });
});
