import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { makeTempDir, runCli } from '../helpers/fixture.js';
import { archivesIn, fixtureHome, tempsIn } from './daemon-process.js';

const statusFile = (stateDir: string) => path.join(stateDir, 'openclaw-backup-status.json');
const readStatus = (stateDir: string) => JSON.parse(fs.readFileSync(statusFile(stateDir), 'utf8'));

describe('openclaw-backup run / list / prune / status', () => {
  it('run makes, verifies and prunes; list, prune --dry-run and status report it', async () => {
    const fx = fixtureHome(makeTempDir(), { retention: 2 });
    for (let i = 0; i < 3; i += 1) {
      const run = await runCli(['run', '--json'], { env: fx.env });
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ result: 'ok', trigger: 'run', hook: null, error: null });
      expect(run.stderr).toContain('"msg":"archive verified"');
    }
    expect(archivesIn(fx.backups)).toHaveLength(2);
    expect(readStatus(fx.stateDir).lastRun.pruned).toHaveLength(1);

    const list = await runCli(['list', '--json'], { env: fx.env });
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(listed.map((a) => path.basename(a.archive as string)).sort()).toEqual(archivesIn(fx.backups));
    expect(Date.parse(listed[0]?.createdAt as string)).toBeGreaterThan(Date.parse(listed[1]?.createdAt as string));
    expect(Object.keys(listed[0] as object).sort()).toEqual(['archive', 'bytes', 'components', 'createdAt', 'encrypted', 'profile']);
    expect(listed[0]).toMatchObject({ encrypted: false, profile: 'default', bytes: fs.statSync(listed[0]?.archive as string).size });

    fx.setBackupConfig({ retention: 1 });
    const dry = await runCli(['prune', '--dry-run', '--json'], { env: fx.env });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      removed: [{ archive: listed[1]?.archive }],
      kept: [{ archive: listed[0]?.archive, reasons: ['last'] }],
    });
    expect(archivesIn(fx.backups)).toHaveLength(2);
    const prune = await runCli(['prune'], { env: fx.env });
    expect(prune.stdout).toContain('1 kept, 1 removed');
    expect(archivesIn(fx.backups)).toEqual([path.basename(listed[0]?.archive as string)]);

    const status = await runCli(['status', '--json'], { env: fx.env });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      stateDir: fx.stateDir,
      config: { path: fx.configPath, location: 'plugin' },
      auto: false,
      nextRunAt: null,
      archives: { count: 1, bytes: fs.statSync(listed[0]?.archive as string).size },
      daemon: { running: false, pid: null },
      lastRun: { result: 'ok', trigger: 'run' },
      statusRecord: { corrupt: false, rebuilt: false },
    });
    fx.setBackupConfig({ auto: true, schedule: '0 4 * * *', timezone: 'UTC' });
    const text = await runCli(['status'], { env: fx.env });
    // One time format in status: local time with how long until (or ago), as list shows times.
    expect(text.stdout).toMatch(/^auto: +true/m);
    expect(text.stdout).toMatch(/schedule: +0 4 \* \* \* \(UTC\), next \d{4}-\d\d-\d\d \d\d:\d\d:00 \(in .+\)$/m);
    expect(text.stdout).toMatch(/daemon: +not running/);
  });

  it('a corrupt status record is reported and rebuilt from the archives', async () => {
    const fx = fixtureHome(makeTempDir(), {});
    expect((await runCli(['run'], { env: fx.env })).code).toBe(0);
    fs.writeFileSync(statusFile(fx.stateDir), '{"version": 1, "lastRun": {tru');
    const status = await runCli(['status'], { env: fx.env });
    expect(status.code).toBe(0);
    expect(status.stderr).toContain(`warning: status record ${statusFile(fx.stateDir)} was corrupt`);
    expect(status.stderr).toContain('rebuilt from the archives present');
    const rebuilt = readStatus(fx.stateDir);
    expect(path.basename(rebuilt.lastSuccess.archive)).toBe(archivesIn(fx.backups)[0]);
    const again = await runCli(['status', '--json'], { env: fx.env });
    expect(JSON.parse(again.stdout).statusRecord).toMatchObject({ corrupt: false });
  });

  it('a failing hook makes run exit 1 and keeps the archive; status shows the hook', async () => {
    const fx = fixtureHome(makeTempDir(), { postBackup: 'echo uploading; echo "remote refused" >&2; exit 7' });
    const run = await runCli(['run'], { env: fx.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('remote refused');
    expect(run.stderr).toMatch(/openclaw-backup: postBackup exited with code 7; archive kept: .*\.tar\.gz\n$/);
    expect(archivesIn(fx.backups)).toHaveLength(1);
    expect(readStatus(fx.stateDir)).toMatchObject({
      lastRun: { result: 'failed', hook: { exitCode: 7, timedOut: false } },
      lastSuccess: null,
    });
    const status = await runCli(['status'], { env: fx.env });
    expect(status.stdout).toContain('hook exit 7');
  });

  it('a hanging hook is killed at hookTimeout and the archive stays', async () => {
    const fx = fixtureHome(makeTempDir(), { postBackup: 'sleep 120', hookTimeout: '1s' });
    const started = Date.now();
    const run = await runCli(['run', '--json'], { env: fx.env });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('openclaw-backup: postBackup timed out after 1000 ms; its process group was killed; archive kept:');
    expect(JSON.parse(run.stdout)).toMatchObject({ result: 'failed', hook: { exitCode: null, timedOut: true } });
    expect(archivesIn(fx.backups)).toHaveLength(1);
  });

  it('refuses postBackup when the config file is writable by others', async () => {
    const fx = fixtureHome(makeTempDir(), { postBackup: 'touch $HOME/ran' });
    fs.chmodSync(fx.configPath, 0o666);
    const run = await runCli(['run'], { env: fx.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`openclaw-backup: postBackup refused: ${fx.configPath} is writable by others (mode 0666)`);
    expect(fs.existsSync(path.join(fx.home, 'ran'))).toBe(false);
    expect(archivesIn(fx.backups)).toHaveLength(1);
  });

  it('never prunes after a failed backup', async () => {
    const fx = fixtureHome(makeTempDir(), { retention: 1 });
    expect((await runCli(['run'], { env: fx.env })).code).toBe(0);
    expect((await runCli(['run'], { env: fx.env })).code).toBe(0);
    expect(archivesIn(fx.backups)).toHaveLength(1);
    const keep = archivesIn(fx.backups);
    // The backup fails (its output dir cannot be created); nothing may be deleted.
    fx.setBackupConfig({ retention: 1, path: path.join(fx.backups, 'blocked', 'sub') });
    fs.writeFileSync(path.join(fx.backups, 'blocked'), 'a file where a dir should be');
    const run = await runCli(['run'], { env: fx.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot create backups dir');
    expect(archivesIn(fx.backups)).toEqual(keep);
    expect(readStatus(fx.stateDir).lastRun).toMatchObject({ result: 'failed', pruned: [] });
  });

  it('SIGTERM during run exits 130, leaves no partial file, and records the run as interrupted', async () => {
    const fx = fixtureHome(makeTempDir(), {});
    const big = fs.openSync(path.join(fx.stateDir, 'media', 'big.bin'), 'w');
    for (let i = 0; i < 12; i += 1) fs.writeSync(big, randomBytes(10 * 1024 * 1024));
    fs.closeSync(big);
    const running = startCli(['run'], { env: fx.env });
    await expect.poll(() => tempsIn(fx.backups).some((n) => n.endsWith('.partial')), { timeout: 60_000, interval: 50 }).toBe(true);
    running.child.kill('SIGTERM');
    const { code, stderr } = await running.done;
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('openclaw-backup: backup interrupted; no archive was written');
    expect(tempsIn(fx.backups)).toEqual([]);
    expect(archivesIn(fx.backups)).toEqual([]);
    expect(readStatus(fx.stateDir).lastRun).toMatchObject({ result: 'interrupted' });
  });

  it('create and run both stop the gateway for the snapshot under quiesce: "stop" and report the same pauseMs', async () => {
    const fx = fixtureHome(makeTempDir(), { quiesce: 'stop' });
    const stubs = path.join(fx.home, 'stub-bin');
    const calls = path.join(fx.home, 'systemctl.log');
    fs.mkdirSync(stubs);
    fs.writeFileSync(path.join(stubs, 'systemctl'), `#!/bin/sh\necho "$*" >> ${calls}\nexit 0\n`, { mode: 0o755 });
    const env = { ...fx.env, PATH: `${stubs}:${process.env.PATH}` };
    const unit = 'openclaw-gateway.service';
    const expected = [`--user is-active --quiet ${unit}`, `--user stop ${unit}`, `--user start ${unit}`];

    const created = await runCli(['create', '--json'], { env });
    expect(created.code, created.stderr).toBe(0);
    expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toEqual(expected);
    expect(created.stderr).toContain('stopping the gateway for the snapshot');
    expect(created.stderr).toContain('gateway started again');
    const { pauseMs } = JSON.parse(created.stdout);
    expect(pauseMs).toBeGreaterThan(0);

    fs.rmSync(calls);
    const run = await runCli(['run', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toEqual(expected);
    expect(JSON.parse(run.stdout).pauseMs).toBeGreaterThan(0);
  });

  it('run on an invalid config exits 2 naming the key', async () => {
    const fx = fixtureHome(makeTempDir(), { retention: { keepDaily: 0 } });
    const run = await runCli(['run'], { env: fx.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('plugins.entries["openclaw-backup"].config.retention');
  });

  it('two concurrent create calls both produce good, distinct archives', async () => {
    const fx = fixtureHome(makeTempDir(), {});
    const [a, b] = await Promise.all([runCli(['create', '--json'], { env: fx.env }), runCli(['create', '--json'], { env: fx.env })]);
    expect(a?.code, a?.stderr).toBe(0);
    expect(b?.code, b?.stderr).toBe(0);
    const archives = [JSON.parse(a?.stdout as string).archive, JSON.parse(b?.stdout as string).archive];
    expect(new Set(archives).size).toBe(2);
    for (const archive of archives) expect((await runCli(['verify', archive], { env: fx.env })).code).toBe(0);
    expect(tempsIn(fx.backups)).toEqual([]);
  });

  it('postBackup with the real rclone copies the archive to a local remote, as users configure it', async () => {
    const fx = fixtureHome(makeTempDir(), {
      postBackup: 'rclone copy ~/.openclaw/backups offsite:$HOME/offsite && rclone lsf offsite:$HOME/offsite | wc -l',
    });
    fs.mkdirSync(path.join(fx.home, '.config', 'rclone'), { recursive: true });
    fs.writeFileSync(path.join(fx.home, '.config', 'rclone', 'rclone.conf'), '[offsite]\ntype = local\n');
    const run = await runCli(['run', '--json'], { env: fx.env });
    expect(run.code, run.stderr).toBe(0);
    const [archive] = archivesIn(fx.backups);
    expect(fs.readdirSync(path.join(fx.home, 'offsite'))).toEqual([archive]);
    expect(
      fs.readFileSync(path.join(fx.home, 'offsite', archive as string)).equals(fs.readFileSync(path.join(fx.backups, archive as string))),
    ).toBe(true);
    expect(JSON.parse(run.stdout).hook).toMatchObject({ exitCode: 0, timedOut: false });
  });
});

describe("the schedule's retention and archives made by hand", () => {
  it('run counts and deletes only the schedule’s archives; a create archive stays until prune', async () => {
    const fx = fixtureHome(makeTempDir(), { retention: 1 });
    const made = await runCli(['create', '--json'], { env: fx.env });
    expect(made.code, made.stderr).toBe(0);
    const byHand = (JSON.parse(made.stdout) as { archive: string }).archive;
    for (let i = 0; i < 2; i += 1) expect((await runCli(['run'], { env: fx.env })).code).toBe(0);
    // retention 1 over the schedule's two: one kept; the hand-made one was neither counted nor deleted.
    expect(archivesIn(fx.backups)).toHaveLength(2);
    expect(fs.existsSync(byHand)).toBe(true);
    const dry = JSON.parse((await runCli(['prune', '--dry-run', '--json'], { env: fx.env })).stdout) as {
      removed: Array<{ archive: string }>;
    };
    expect(dry.removed.map((r) => r.archive)).toEqual([byHand]);
    expect((await runCli(['prune'], { env: fx.env })).code).toBe(0);
    expect(fs.existsSync(byHand)).toBe(false);
  });
});

describe('run --quiet, for cron', () => {
  it('prints nothing when the run is fine; a failure still says what went wrong', async () => {
    const fx = fixtureHome(makeTempDir(), {});
    const loud = await runCli(['run'], { env: fx.env });
    expect(loud.stdout).toMatch(/^Backed up: /);
    expect(loud.stderr).toMatch(/^info: /m);
    const quiet = await runCli(['run', '--quiet'], { env: fx.env });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toBe('');
    // Only what needs a person: the fixture's config names workspaces of another machine, which is worth a warning.
    expect(quiet.stderr.split('\n').filter((line) => line && !/^(warn|error): /.test(line))).toEqual([]);
    expect(archivesIn(fx.backups)).toHaveLength(2);
    fx.setBackupConfig({ postBackup: 'exit 7' });
    const failed = await runCli(['run', '--quiet'], { env: fx.env });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toContain('postBackup exited with code 7');
    expect((await runCli(['run', '--quiet', '--json'], { env: fx.env })).code).toBe(2);
  });
});
