import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDocs, tamperArchive, type Doc } from '../helpers/craft.js';
import { runCliElsewhere } from '../helpers/elsewhere.js';
import { makeTempDir } from '../helpers/fixture.js';
import { forgeSnapshot, makeState, parseList, sharedRepo, type SharedRepo, type TestState } from '../helpers/repo-states.js';
import { restic, snapshotsOf } from '../helpers/restic.js';

/** One of the state's own backups as an uncompressed archive file (archive mode, whatever the config says). */
async function archiveOf(state: TestState): Promise<string> {
  const out = makeTempDir('ocb-archive-');
  const made = await state.cli(['create', '--output', out, '--compress', 'none', '--json']);
  if (made.code !== 0) throw new Error(made.stderr);
  return (JSON.parse(made.stdout) as { archive: string }).archive;
}

/** An archive unpacked: the tree a snapshot held before the seam moved (openclaw-backup/header.json, state/…). */
function unpack(archive: string, into = makeTempDir('ocb-tree-')): string {
  execFileSync('tar', ['-xf', archive, '-C', into]);
  return into;
}

const shortOf = (id: string) => id.slice(0, 8);

describe('snapshots this state did not make are suspect', { timeout: 300_000 }, () => {
  it('a snapshot forged with plain restic and dated 2099 is never latest, never counted by retention or freshness, and flagged', async () => {
    const shared = sharedRepo();
    const a = makeState('a', shared, 'night 1');
    expect((await a.cli(['create', '--init'])).code).toBe(0);
    fs.writeFileSync(path.join(a.stateDir, 'workspace/SOUL.md'), 'night 2');
    const second = await a.cli(['create', '--json']);
    expect(second.code, second.stderr).toBe(0);
    const real = snapshotsOf(shared.call);
    const tags = real[0]?.tags as string[];
    const forged = forgeSnapshot(shared, unpack(await archiveOf(a)), { tags, host: os.hostname(), time: '2099-01-01 00:00:00' });
    const newest = (JSON.parse(second.stdout) as { snapshot: string }).snapshot;
    const oldest = real.map((s) => s.id).find((id) => id !== newest) as string;

    const listed = parseList(await a.cli(['list', '--json']));
    expect(listed.map((s) => s.snapshot)).toEqual([forged, newest, oldest]);
    expect(listed[0]).toMatchObject({ suspect: expect.stringMatching(/^dated 2099-01-01T.*, in the future$/), madeHere: false });
    expect(listed[1]).toMatchObject({ madeHere: true });
    const text = await a.cli(['list']);
    expect(text.stdout).toMatch(new RegExp(`${shortOf(forged)} .*\\[dated 2099-01-01T[^\\]]*in the future: not counted; not made here\\]`));
    expect(text.stderr).toContain(`warning: ${shortOf(forged)} is dated 2099-01-01T`);

    const dry = await a.cli(['restore', 'latest', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect((JSON.parse(dry.stdout) as { archive: string }).archive).toContain(`snapshot ${shortOf(newest)}`);
    const status = await a.cli(['status', '--json']);
    expect(JSON.parse(status.stdout).archives).toMatchObject({
      count: 2,
      newest: shortOf(newest),
      suspect: [{ archive: shortOf(forged), hostname: os.hostname() }],
    });
    expect((await a.cli(['status'])).stderr).toContain(`warning: ${shortOf(forged)} (host ${os.hostname()}) is dated 2099-01-01T`);
    type Finding = { id: string; level: string; message: string };
    const doctor = JSON.parse((await a.cli(['doctor', '--json'])).stdout) as { findings: Finding[] };
    expect(doctor.findings.find((f) => f.id === 'suspect-backups')).toMatchObject({
      level: 'warn',
      message: expect.stringContaining(shortOf(forged)),
    });
    expect(doctor.findings.find((f) => f.id === 'freshness')?.message).not.toContain('2099');

    const prune = await a.cli(['prune', '--keep-last', '1', '--json']);
    expect(prune.code, prune.stderr).toBe(0);
    const pruned = JSON.parse(prune.stdout) as { kept: { archive: string }[]; removed: { archive: string }[]; ignored: { file: string }[] };
    expect(pruned.kept.map((k) => k.archive)).toEqual([shortOf(newest)]);
    expect(pruned.removed.map((r) => r.archive)).toEqual([shortOf(oldest)]);
    expect(pruned.ignored.map((i) => i.file)).toContain(shortOf(forged));
    expect(
      snapshotsOf(shared.call)
        .map((s) => s.id)
        .sort(),
    ).toEqual([forged, newest].sort());

    // Named by its id it can still be read, and restore says plainly what it is.
    const copy = path.join(a.home, 'copy');
    const restore = await a.cli(['restore', shortOf(forged), '--target', copy]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toContain(`warning: snapshot ${shortOf(forged)} is dated 2099-01-01T`);
    expect(restore.stderr).toContain(`snapshot ${shortOf(forged)} was not made here`);
  });

  it('an archive dated 2099 in the backups dir likewise: not latest, not counted by retention, flagged', async () => {
    const a = makeState('a', undefined, 'mine');
    a.setBlock({ retention: 1 });
    // Made by a scheduled run, so the next run's retention counts it (it leaves hand-made backups to `prune`).
    const made = await a.cli(['run']);
    expect(made.code, made.stderr).toBe(0);
    const real = parseList(await a.cli(['list', '--json']))[0]?.archive as string;
    const future = path.join(path.dirname(real), 'openclaw-backup-default-20990101T000000Z.tar');
    tamperArchive(real, future, (header, manifest) => {
      header.createdAt = '2099-01-01T00:00:00.000Z';
      manifest.createdAt = header.createdAt;
    });
    const listed = parseList(await a.cli(['list', '--json']));
    expect(listed.map((b) => [b.archive, b.suspect])).toEqual([
      [future, 'dated 2099-01-01T00:00:00.000Z, in the future'],
      [real, undefined],
    ]);
    const dry = await a.cli(['restore', 'latest', '--dry-run', '--json']);
    expect((JSON.parse(dry.stdout) as { archive: string }).archive).toBe(real);
    const run = await a.cli(['run']);
    expect(run.code, run.stderr).toBe(0);
    // Retention kept the one new archive; the 2099 one was neither counted nor deleted.
    expect(fs.readdirSync(path.dirname(real)).filter((n) => n.startsWith('openclaw-backup-')).length).toBe(2);
    expect(fs.existsSync(future)).toBe(true);
    expect(fs.existsSync(real)).toBe(false);
  });

  it("a snapshot in this state's series that it did not make is marked by list, and restore says so", async () => {
    const shared = sharedRepo();
    const a = makeState('a', shared, 'mine');
    expect((await a.cli(['create', '--init'])).code).toBe(0);
    const tags = snapshotsOf(shared.call)[0]?.tags as string[];
    const forged = forgeSnapshot(shared, unpack(await archiveOf(a)), { tags, host: os.hostname() });
    const listed = parseList(await a.cli(['list', '--json']));
    expect(listed[0]).toMatchObject({ snapshot: forged, madeHere: false });
    expect(listed[1]).toMatchObject({ madeHere: true });
    expect((await a.cli(['list'])).stdout).toMatch(new RegExp(`${shortOf(forged)} .*\\[not made here\\]`));
    const restore = await a.cli(['restore', 'latest', '--target', path.join(a.home, 'copy')]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toContain(`warning: snapshot ${shortOf(forged)} was not made here`);
    // Nor is it the parent the next backup compares against (restic reuses a parent's content for unchanged files).
    const real = listed[1]?.snapshot as string;
    const next = await a.cli(['create', '--json']);
    expect(next.code, next.stderr).toBe(0);
    const made = (JSON.parse(next.stdout) as { snapshot: string }).snapshot;
    const [record] = JSON.parse(restic(shared.call, ['snapshots', '--json', made])) as { parent?: string }[];
    expect(record?.parent).toBe(real);
  });

  it("restoring another state's or another profile's snapshot warns; a snapshot without a components tag is not listed as encrypted, 0 B", async () => {
    const shared = sharedRepo();
    const a = makeState('a', shared, 'state A');
    const w = makeState('w', shared, 'state W');
    fs.renameSync(w.stateDir, path.join(w.home, '.openclaw-work'));
    expect((await a.cli(['create', '--init'])).code).toBe(0);
    const work = await w.cli(['--profile', 'work', 'create', '--json']);
    expect(work.code, work.stderr).toBe(0);
    const workSnapshot = (JSON.parse(work.stdout) as { snapshot: string }).snapshot;
    const other = await a.cli(['restore', shortOf(workSnapshot), '--target', path.join(a.home, 'w')]);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).toMatch(
      new RegExp(`warning: snapshot ${shortOf(workSnapshot)} is not this state's backup: it was made on host .* for state id `),
    );

    // Made before state ids (no state tag), of profile work, and with no components or size tag.
    const bare = forgeSnapshot(shared, unpack(await archiveOf(a)), { tags: ['openclaw-backup', 'profile:work'], host: 'old-box' });
    const restore = await a.cli(['restore', shortOf(bare), '--target', path.join(a.home, 'bare')]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toContain(
      `warning: snapshot ${shortOf(bare)} is not this state's backup: it was made on host old-box for profile work, not default`,
    );
    const listed = await a.cli(['list', '--host', 'old-box']);
    expect(listed.code, listed.stderr).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.includes(shortOf(bare))) as string;
    expect(row).not.toMatch(/encrypted|0 B/);
    expect(row).toMatch(/ \? .*unknown \(no components tag\)/);
  });
});

/** A real archive of `state` whose config names the workspace at <stateDir>/evil, a symlink to /etc it carries too. */
function forgeSymlinkedWorkspace(archive: string, out: string): string {
  const config = JSON.parse(execFileSync('tar', ['-xOf', archive, 'openclaw-backup/state/openclaw.json'], { encoding: 'utf8' })) as Doc;
  const { stateDir } = readDocs(archive).header as { stateDir: string };
  config.agents.defaults.workspace = `${stateDir}/evil`;
  config.agents.entries.main.workspace = `${stateDir}/evil`;
  const name = 'openclaw-backup/state/openclaw.json';
  return tamperArchive(archive, out, () => {}, [{ name: 'openclaw-backup/state/evil', type: 'symlink', linkname: '/etc' }], {
    [name]: { name, data: JSON.stringify(config), mode: 0o600 },
  });
}

describe(
  'a workspace the restored config names, arriving as a symlink out of the state tree, is refused (exit 3)',
  { timeout: 300_000 },
  () => {
    it('from an archive folder', async () => {
      const a = makeState('a', undefined, 'state A');
      const legit = await archiveOf(a);
      fs.mkdirSync(path.join(a.stateDir, 'backups'), { mode: 0o700 });
      const forged = forgeSymlinkedWorkspace(legit, path.join(a.stateDir, 'backups', 'openclaw-backup-default-20300101T000000Z.tar'));
      // Our own backup of a state whose workspace is a symlink out of it stores no such link: it verifies.
      expect((await a.cli(['verify', legit])).code).toBe(0);
      const verify = await a.cli(['verify', forged]);
      expect(verify.code).toBe(3);
      expect(verify.stderr).toContain('openclaw-backup/state/evil: agents.defaults.workspace names');
      const before = fs.readdirSync(a.stateDir).sort();
      const restore = await a.cli(['restore', forged, '--yes']);
      expect(restore.code).toBe(3);
      expect(fs.readdirSync(a.stateDir).sort()).toEqual(before);
      expect(fs.existsSync(path.join(a.stateDir, 'evil'))).toBe(false);
    });

    it('from a repository (a snapshot made with plain restic, our tags and host)', async () => {
      const shared = sharedRepo();
      const a = makeState('a', shared, 'state A');
      expect((await a.cli(['create', '--init'])).code).toBe(0);
      const tags = snapshotsOf(shared.call)[0]?.tags as string[];
      const crafted = forgeSymlinkedWorkspace(await archiveOf(a), path.join(makeTempDir('ocb-forged-'), 'forged.tar'));
      const forged = forgeSnapshot(shared, unpack(crafted), { tags, host: os.hostname() });
      const verify = await a.cli(['verify', shortOf(forged)]);
      expect(verify.code).toBe(3);
      expect(verify.stderr).toContain('agents.defaults.workspace names');
      const restore = await a.cli(['restore', shortOf(forged), '--target', path.join(a.home, 'copy')]);
      expect(restore.code).toBe(3);
      expect(fs.existsSync(path.join(a.home, 'copy'))).toBe(false);
    });
  },
);

/** A snapshot as the write path before state ids made it: this state's mirror tree, our tag, profile, host. */
function legacySnapshot(shared: SharedRepo, state: TestState, tree: string, host = os.hostname()): string {
  const mirror = path.join(state.stateDir, 'backups', '.openclaw-backup-mirror');
  fs.mkdirSync(mirror, { recursive: true });
  fs.cpSync(path.join(tree, 'openclaw-backup'), path.join(mirror, 'openclaw-backup'), { recursive: true });
  try {
    return forgeSnapshot(shared, mirror, { tags: ['openclaw-backup', 'profile:default', 'components:config+workspace'], host });
  } finally {
    fs.rmSync(mirror, { recursive: true, force: true });
  }
}

describe('snapshots made before state ids', { timeout: 300_000 }, () => {
  it('are adopted once by host, profile and mirror path: in memory when the repository will not take the tag', async () => {
    const shared = sharedRepo();
    const a = makeState('a', shared, 'state A');
    const b = makeState('b', shared, 'state B');
    expect((await a.cli(['repository', 'init'])).code).toBe(0);
    const tree = unpack(await archiveOf(b));
    const mine = legacySnapshot(shared, a, tree);
    const theirs = legacySnapshot(shared, b, tree);
    const otherHost = legacySnapshot(shared, a, tree, 'another-host');

    // Before this state has an id: seen, not written.
    const before = parseList(await a.cli(['list', '--json']));
    expect(before.map((s) => s.snapshot)).toEqual([mine]);
    expect(fs.existsSync(path.join(a.stateDir, 'openclaw-backup-id.json'))).toBe(false);

    // A backup makes the id (here an archive, so the repository is not touched yet); with the repository's snapshots
    // read-only to a command that writes, adoption stays in memory.
    expect((await a.cli(['create', '--output', makeTempDir('ocb-out-')])).code).toBe(0);
    const id = a.stateId();
    const snapshotsDir = path.join(shared.repo, 'snapshots');
    const held = await runCliElsewhere(
      ['prune', '--keep-last', '10', '--json'],
      { readOnly: [snapshotsDir], dir: shared.dir },
      { env: { HOME: a.home } },
    );
    expect(held.code, held.stderr).toBe(0);
    expect((JSON.parse(held.stdout) as { kept: { archive: string }[] }).kept.map((k) => k.archive)).toEqual([mine.slice(0, 8)]);
    expect(snapshotsOf(shared.call, ['--tag', `state:${id}`])).toHaveLength(0);

    // A command that writes, on a repository that takes it: tagged into the series for good (restic rewrites the id).
    const prune = await a.cli(['prune', '--keep-last', '10']);
    expect(prune.code, prune.stderr).toBe(0);
    const series = snapshotsOf(shared.call, ['--tag', `state:${id}`]) as { id: string; original?: string }[];
    expect(series.map((s) => s.original)).toEqual([mine]);
    const untagged = snapshotsOf(shared.call).filter((s) => !s.tags?.some((t) => t.startsWith('state:')));
    expect(untagged.map((s) => s.id).sort()).toEqual([theirs, otherHost].sort());
    const next = await a.cli(['create']);
    expect(next.code, next.stderr).toBe(0);
    expect(parseList(await a.cli(['list', '--json']))).toHaveLength(2);
  });
});
