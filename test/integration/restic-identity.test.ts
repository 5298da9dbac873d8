import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/fixture.js';
import { runCliElsewhere } from '../helpers/elsewhere.js';
import { makeState, parseList, sharedRepo } from '../helpers/repo-states.js';
import { snapshotsOf } from '../helpers/restic.js';

const soul = (stateDir: string) => fs.readFileSync(path.join(stateDir, 'workspace/SOUL.md'), 'utf8');

describe('a snapshot belongs to a state, not a hostname', { timeout: 300_000 }, () => {
  it("two states in one repository: B's prune leaves A's snapshot; A's list, status and restore latest show A's", async () => {
    const shared = sharedRepo();
    const a = makeState('a', shared, 'state A');
    const b = makeState('b', shared, 'state B');
    const made = await a.cli(['create', '--init', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const mine = (JSON.parse(made.stdout) as { snapshot: string }).snapshot;
    for (let i = 0; i < 2; i += 1) expect((await b.cli(['create'])).code).toBe(0);

    const prune = await b.cli(['prune', '--keep-last', '1']);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stdout).toContain('1 kept, 1 removed');
    expect(snapshotsOf(shared.call).map((s) => s.id)).toContain(mine);
    expect(a.stateId()).not.toBe(b.stateId());
    const [ours] = snapshotsOf(shared.call, ['--tag', `state:${a.stateId()}`]);
    expect(ours?.id).toBe(mine);
    expect(ours?.tags).toEqual(expect.arrayContaining(['openclaw-backup', 'profile:default', `state:${a.stateId()}`]));

    const listed = parseList(await a.cli(['list', '--json']));
    expect(listed.map((s) => s.snapshot)).toEqual([ours?.id]);
    expect(listed[0]).toMatchObject({ stateId: a.stateId(), hostname: os.hostname(), madeHere: true });
    const status = JSON.parse((await a.cli(['status', '--json'])).stdout) as {
      stateId: string;
      archives: { count: number; newest: string };
    };
    expect(status).toMatchObject({ stateId: a.stateId(), archives: { count: 1, newest: ours?.short_id } });
    const copy = path.join(a.home, 'copy');
    const restored = await a.cli(['restore', 'latest', '--target', copy]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(soul(copy)).toBe('state A');
    // The copy of a state that lives here is a copy: it takes no id of its own from the backup.
    expect(fs.existsSync(path.join(copy, 'openclaw-backup-id.json'))).toBe(false);
  });

  it('a new machine needs only the repository and its password; the restored state continues its series there', async () => {
    const shared = sharedRepo();
    const a = makeState('a', shared, 'state A');
    expect((await a.cli(['create', '--init'])).code).toBe(0);
    const id = a.stateId();
    const newHome = makeTempDir('ocb-newbox-');
    const where = { hostname: 'newbox', machineId: 'f00dfeedf00dfeedf00dfeedf00dfeed', dir: shared.dir };
    const elsewhere = (args: string[]) => runCliElsewhere([...args, ...shared.flags], where, { env: { HOME: newHome } });

    const text = await elsewhere(['list']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`[0-9a-f]{8}  ${os.hostname()}\\s+default\\s+${id}`));
    expect(parseList(await elsewhere(['list', '--json']))).toMatchObject([{ stateId: id, hostname: os.hostname(), profile: 'default' }]);
    for (const command of [
      ['verify', 'latest'],
      ['ls', 'latest', 'workspace'],
      ['info', 'latest'],
    ]) {
      const read = await elsewhere(command);
      expect(read.code, `${command.join(' ')}: ${read.stderr}`).toBe(0);
    }

    const restore = await elsewhere(['restore', 'latest']);
    expect(restore.code, restore.stderr).toBe(0);
    const restoredDir = path.join(newHome, '.openclaw');
    expect(soul(restoredDir)).toBe('state A');
    const identity = JSON.parse(fs.readFileSync(path.join(restoredDir, 'openclaw-backup-id.json'), 'utf8')) as Record<string, string>;
    expect(identity).toMatchObject({ stateId: id, origin: 'restored', stateDir: restoredDir, hostname: 'newbox' });

    const after = await elsewhere(['list']);
    expect(after.stderr).not.toContain('no snapshots');
    const status = JSON.parse((await elsewhere(['status', '--json'])).stdout) as { stateId: string; archives: { count: number } };
    expect(status).toMatchObject({ stateId: id, archives: { count: 1 } });
    const next = await elsewhere(['create']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).not.toContain('new series');
    const series = snapshotsOf(shared.call, ['--tag', `state:${id}`]);
    expect(series.map((s) => s.hostname).sort()).toEqual([os.hostname(), 'newbox'].sort());
    expect(parseList(await elsewhere(['list', '--json']))).toHaveLength(2);
  });

  it('a hostname change never drops the series: list, latest and retention keep seeing it', async () => {
    const shared = sharedRepo();
    const a = makeState('a', shared, 'state A');
    a.setBlock({ repository: { url: shared.repo, passwordFile: shared.passwordFile }, retention: 1 });
    // Made by a scheduled run, so the next run's retention counts it (it leaves hand-made backups to `prune`).
    expect((await a.cli(['repository', 'init'])).code).toBe(0);
    const first = await a.cli(['run']);
    expect(first.code, first.stderr).toBe(0);
    const renamed = (args: string[]) => runCliElsewhere(args, { hostname: 'renamed-laptop', dir: shared.dir }, { env: { HOME: a.home } });
    expect(parseList(await renamed(['list', '--json']))).toHaveLength(1);
    const run = await renamed(['run']);
    expect(run.code, run.stderr).toBe(0);
    // Retention (keep 1) saw the old snapshot as this state's and forgot it.
    const left = snapshotsOf(shared.call);
    expect(left.map((s) => s.hostname)).toEqual(['renamed-laptop']);
    expect(left[0]?.tags).toContain(`state:${a.stateId()}`);
  });

  it("restic's own environment names the repository and password for reading commands, with no state dir", async () => {
    const shared = sharedRepo();
    const a = makeState('a', shared, 'state A');
    expect((await a.cli(['create', '--init'])).code).toBe(0);
    const empty = makeTempDir('ocb-env-');
    const repoFile = path.join(empty, 'repository');
    fs.writeFileSync(repoFile, `${shared.repo}\n`);
    const variants: NodeJS.ProcessEnv[] = [
      { RESTIC_REPOSITORY: shared.repo, RESTIC_PASSWORD_FILE: shared.passwordFile },
      { RESTIC_REPOSITORY_FILE: repoFile, RESTIC_PASSWORD_COMMAND: `cat ${shared.passwordFile}` },
      { RESTIC_REPOSITORY: shared.repo, RESTIC_PASSWORD: fs.readFileSync(shared.passwordFile, 'utf8').trim() },
    ];
    for (const env of variants) {
      const listed = await runCli(['list', '--json'], { env: { HOME: empty, ...env } });
      expect(listed.code, `${JSON.stringify(env)}: ${listed.stderr}`).toBe(0);
      expect(parseList(listed)).toMatchObject([{ stateId: a.stateId() }]);
    }
    const env = { HOME: empty, ...variants[1] };
    const verify = await runCli(['verify', 'latest'], { env, timeoutMs: 300_000 });
    expect(verify.code, verify.stderr).toBe(0);
    const target = path.join(empty, 'copy');
    const restore = await runCli(['restore', 'latest', '--target', target], { env, timeoutMs: 300_000 });
    expect(restore.code, restore.stderr).toBe(0);
    expect(soul(target)).toBe('state A');

    // Where backups go never follows a shell's environment: a state without backup.repository writes its archive.
    const b = makeState('b', undefined, 'state B');
    const made = await b.cli(['create', '--json'], { RESTIC_REPOSITORY: shared.repo, RESTIC_PASSWORD_FILE: shared.passwordFile });
    expect(made.code, made.stderr).toBe(0);
    expect((JSON.parse(made.stdout) as { archive: string }).archive).toMatch(/\.tar\.(gz|zst)$/);
    expect(snapshotsOf(shared.call)).toHaveLength(1);
  });

  it('latest among several states exits 2 naming them and the flags that choose; --state-id, --host and a snapshot id do', async () => {
    const shared = sharedRepo();
    const a = makeState('a', shared, 'state A');
    const b = makeState('b', shared, 'state B');
    expect((await a.cli(['create', '--init'])).code).toBe(0);
    const onB = await runCliElsewhere(['create'], { hostname: 'box-b', dir: shared.dir }, { env: { HOME: b.home } });
    expect(onB.code, onB.stderr).toBe(0);
    const empty = makeTempDir('ocb-choose-');
    const read = (args: string[]) => runCli([...args, ...shared.flags], { env: { HOME: empty }, timeoutMs: 300_000 });

    const ambiguous = await read(['restore', 'latest', '--target', path.join(empty, 'x')]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr.trim().split('\n')).toHaveLength(1);
    for (const text of [a.stateId(), b.stateId(), 'box-b', '--state-id', '--host', '--profile', 'snapshot id'])
      expect(ambiguous.stderr).toContain(text);
    expect(fs.existsSync(path.join(empty, 'x'))).toBe(false);

    const byId = await read(['restore', 'latest', '--state-id', a.stateId().slice(0, 6), '--target', path.join(empty, 'a')]);
    expect(byId.code, byId.stderr).toBe(0);
    expect(soul(path.join(empty, 'a'))).toBe('state A');
    const byHost = await read(['restore', 'latest', '--host', 'box-b', '--target', path.join(empty, 'b')]);
    expect(byHost.code, byHost.stderr).toBe(0);
    expect(soul(path.join(empty, 'b'))).toBe('state B');
    expect(parseList(await read(['list', '--json', '--host', 'box-b']))).toMatchObject([{ stateId: b.stateId(), hostname: 'box-b' }]);
  });

  it('a state dir that turns up on another machine, or beside its original, without a restore starts a new series saying how to continue', async () => {
    const shared = sharedRepo();
    const a = makeState('a', shared, 'state A');
    expect((await a.cli(['create', '--init'])).code).toBe(0);
    const old = a.stateId();
    const idOf = (dir: string) =>
      (JSON.parse(fs.readFileSync(path.join(dir, 'openclaw-backup-id.json'), 'utf8')) as { stateId: string }).stateId;

    // A copy beside its original on one machine (cp -a) is told apart by the original still holding the id.
    const copyDir = path.join(a.home, '.openclaw-copy');
    fs.cpSync(a.stateDir, copyDir, { recursive: true });
    const copied = await a.cli(['--state-dir', copyDir, 'create']);
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stderr).toContain('(this dir is a copy)');
    expect(idOf(copyDir)).not.toBe(old);
    expect(idOf(a.stateDir)).toBe(old);

    // A VM clone: the same state dir, another machine id (and the same hostname, as clones have).
    const clone = { hostname: os.hostname(), machineId: 'c10ec10ec10ec10ec10ec10ec10ec10e', dir: shared.dir };
    const cloned = await runCliElsewhere(['create'], clone, { env: { HOME: a.home } });
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(cloned.stderr).toContain(`carries the state id ${old} of another machine`);
    expect(cloned.stderr).toContain(`state-id --continue ${old}`);
    const fresh = a.stateId();
    expect(fresh).not.toBe(old);
    expect(snapshotsOf(shared.call, ['--tag', `state:${old}`])).toHaveLength(1);
    expect(snapshotsOf(shared.call, ['--tag', `state:${fresh}`])).toHaveLength(1);

    // It was a move on purpose: the state takes the old series back, and its next backup is part of it.
    const taken = await runCliElsewhere(['state-id', '--continue', old], clone, { env: { HOME: a.home } });
    expect(taken.code, taken.stderr).toBe(0);
    const next = await runCliElsewhere(['create'], clone, { env: { HOME: a.home } });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).not.toContain('new series');
    expect(snapshotsOf(shared.call, ['--tag', `state:${old}`])).toHaveLength(2);
  });
});
