import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, makeTempDir, REPO_ROOT, runCli } from '../helpers/fixture.js';
import { closedPortUrl, PING_UUID, startPingServer, type PingRequest, type PingServer } from '../helpers/ping-server.js';
import { promtoolCheck } from '../helpers/promtool.js';
import { mountTmpfs, unmount } from '../reliability/helpers/mounts.js';
import { runCli as runCliAs } from '../reliability/helpers/cli.js';
import { archivesIn, fixtureHome, startDaemon, type FixtureHome } from './daemon-process.js';

/**
 * Issue 16: a real HTTP server on 127.0.0.1 records the pings of real runs; onFailure dumps its environment to a
 * file per invocation; the metrics file is checked with promtool after every run. The fixture's dummy keys must
 * appear in no ping body, hook environment or metric.
 */
const FIXTURE_SECRETS = ['sk-ant-test-dummy-0000', 'test-token-dummy-0000', 'sk-fake-local-dummy-0000'];
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

const servers: PingServer[] = [];
const homes: string[] = [];
const mounts: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const dir of mounts.splice(0)) unmount(dir);
  for (const dir of homes.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function server(options?: Parameters<typeof startPingServer>[0]): Promise<PingServer> {
  const started = await startPingServer(options);
  servers.push(started);
  return started;
}

interface Setup extends FixtureHome {
  hookDir: string;
  metricsFile: string;
}

/** The real fixture with onFailure dumping its environment to <hookDir>/env.<pid> and a metrics file. */
function setup(block: Record<string, unknown>): Setup {
  const home = makeTempDir('ocb-monitor-');
  homes.push(home);
  const hookDir = path.join(home, 'hook');
  const metricsDir = path.join(home, 'textfile');
  fs.mkdirSync(hookDir);
  fs.mkdirSync(metricsDir);
  const metricsFile = path.join(metricsDir, 'openclaw-backup.prom');
  const fx = fixtureHome(home, { onFailure: `env > "${hookDir}/env.$$"`, metricsFile, ...block });
  return { ...fx, hookDir, metricsFile };
}

const secretsIn = (text: string) => FIXTURE_SECRETS.filter((secret) => text.includes(secret));

function hookRuns(fx: Setup): Record<string, string>[] {
  return fs.readdirSync(fx.hookDir).map((name) => {
    const text = fs.readFileSync(path.join(fx.hookDir, name), 'utf8');
    expect(secretsIn(text), 'secrets in the onFailure environment').toEqual([]);
    return Object.fromEntries(
      text
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  });
}

function metricValue(text: string, name: string): string | undefined {
  return new RegExp(`^openclaw_backup_${name}\\{profile="default"\\} (\\S+)$`, 'm').exec(text)?.[1];
}

/** The metrics file exists, promtool accepts it, it holds no secret; returns its text. */
function validMetrics(fx: Setup): string {
  const text = fs.readFileSync(fx.metricsFile, 'utf8');
  expect(promtoolCheck(text)).toEqual({ code: 0, output: '' });
  expect(metricValue(text, 'last_exit_code'), text).toBeDefined();
  expect(secretsIn(text)).toEqual([]);
  return text;
}

/** The pings of one run: /start then the final one, paired by Healthchecks' run id; no secret in any body. */
function expectStartThen(requests: PingRequest[], final: '' | '/fail'): PingRequest {
  const base = `/ping/${PING_UUID}`;
  expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${base}/start`, `POST ${base}${final}`]);
  const [start, end] = requests as [PingRequest, PingRequest];
  expect(start.query.get('rid')).toMatch(/^[0-9a-f-]{36}$/);
  expect(end.query.get('rid')).toBe(start.query.get('rid'));
  for (const request of requests) expect(secretsIn(request.body), 'secrets in a ping body').toEqual([]);
  return end;
}

const statusOf = async (fx: Setup) => JSON.parse((await runCli(['status', '--json'], { env: fx.env })).stdout);

describe('monitor pings, onFailure and the metrics file on real runs', () => {
  it('a good run: /start then success with the summary; no onFailure; valid metrics; the URL never logged', async () => {
    const ping = await server();
    const fx = setup({ monitor: ping.url });
    const run = await runCli(['run'], { env: fx.env });
    expect(run.code, run.stderr).toBe(0);
    const end = expectStartThen(ping.requests, '');
    const [archive] = archivesIn(fx.backups);
    expect(end.body).toMatch(/^openclaw-backup run: ok \(profile default, trigger run, exit code 0\)\n/);
    expect(end.body).toContain(`archive: ${path.join(fx.backups, archive as string)}\n`);
    expect(end.body).toMatch(/\nsize: .* \(\d+ bytes\), \d+ files\n/);
    expect(end.body).toMatch(/\nduration: .*, gateway paused /);
    expect(hookRuns(fx)).toEqual([]);
    const metrics = validMetrics(fx);
    expect(metricValue(metrics, 'last_exit_code')).toBe('0');
    expect(metricValue(metrics, 'archives')).toBe('1');
    expect(Number(metricValue(metrics, 'last_success_timestamp_seconds'))).toBeGreaterThan(0);
    expect(Number(metricValue(metrics, 'last_run_bytes'))).toBe(fs.statSync(path.join(fx.backups, archive as string)).size);
    expect(run.stderr).toContain('info: monitor pinged');
    expect(run.stderr).not.toContain(PING_UUID);
    const status = await statusOf(fx);
    expect(status.monitor).toMatchObject({
      target: `${new URL(ping.url).origin}/…`,
      lastPing: { kind: 'success', ok: true, status: 200, attempts: 1 },
      lastFailure: null,
    });
    expect(JSON.stringify(status)).not.toContain(PING_UUID);
    const text = await runCli(['status'], { env: fx.env });
    expect(text.stdout).toMatch(
      /^monitor: +http:\/\/127\.0\.0\.1:\d+\/…, last ping: success ok at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(.+ ago\), HTTP 200$/m,
    );
  });

  it('a daemon tick sends /start then success too', async () => {
    const ping = await server();
    const fx = setup({ monitor: ping.url, auto: true, schedule: '* * * * * *' });
    const daemon = startDaemon(fx.env);
    try {
      await ping.waitForRequests(2);
    } finally {
      await daemon.stop();
    }
    expectStartThen(ping.requests.slice(0, 2), '');
    expect(ping.requests[1]?.body).toMatch(/^openclaw-backup daemon: ok \(profile default, trigger (schedule|catch-up)/);
  });

  it('a failing postBackup: /start then /fail naming the hook; onFailure once with its environment; metrics say exit 1', async () => {
    const ping = await server();
    const fx = setup({ monitor: ping.url, postBackup: 'echo "remote refused" >&2; exit 7' });
    const run = await runCli(['run'], { env: fx.env });
    expect(run.code).toBe(1);
    const end = expectStartThen(ping.requests, '/fail');
    expect(end.body).toMatch(
      /^openclaw-backup run: failed in postBackup \(profile default, trigger run, exit code 1\)\nerror: postBackup exited with code 7; archive kept: /,
    );
    const runs = hookRuns(fx);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      OPENCLAW_BACKUP_EXIT_CODE: '1',
      OPENCLAW_BACKUP_PHASE: 'postBackup',
      OPENCLAW_BACKUP_STATE_DIR: fx.stateDir,
      OPENCLAW_BACKUP_PROFILE: 'default',
      OPENCLAW_BACKUP_TRIGGER: 'run',
      OPENCLAW_BACKUP_ARCHIVE: path.join(fx.backups, archivesIn(fx.backups)[0] as string),
    });
    expect(runs[0]?.OPENCLAW_BACKUP_ERROR).toMatch(/^postBackup exited with code 7; archive kept: \S+\.tar\.gz$/);
    const metrics = validMetrics(fx);
    expect(metricValue(metrics, 'last_exit_code')).toBe('1');
    expect(metricValue(metrics, 'last_success_timestamp_seconds')).toBe('0');
    expect(metricValue(metrics, 'archives')).toBe('1');
    const status = await statusOf(fx);
    expect(status.lastRun).toMatchObject({ result: 'failed', phase: 'postBackup', onFailure: { exitCode: 0, error: null } });
  });

  it('an unreadable file: /fail with the EACCES error, onFailure in phase backup', async () => {
    const ping = await server();
    const fx = setup({ monitor: ping.url });
    const secret = path.join(fx.stateDir, 'workspace', 'private.md');
    fs.writeFileSync(secret, 'x');
    fs.chmodSync(secret, 0o000);
    if (isRoot) {
      // Root reads anything: run as "nobody", owning everything but the unreadable file.
      fs.chmodSync(fx.home, 0o755);
      const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
          const p = path.join(dir, e.name);
          return e.isDirectory() ? [p, ...walk(p)] : [p];
        });
      for (const p of [fx.home, ...walk(fx.home)]) if (p !== secret) fs.lchownSync(p, NOBODY, NOBODY);
    }
    const run = await runCliAs(['run'], { env: fx.env, ...(isRoot ? { uid: NOBODY } : {}) });
    expect(run.code, run.stderr).toBe(1);
    const end = expectStartThen(ping.requests, '/fail');
    expect(end.body).toContain(`error: cannot read ${secret}: EACCES: permission denied\n`);
    expect(end.body).toMatch(/failed in backup \(profile default, trigger run, exit code 1\)/);
    const runs = hookRuns(fx);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      OPENCLAW_BACKUP_PHASE: 'backup',
      OPENCLAW_BACKUP_EXIT_CODE: '1',
      OPENCLAW_BACKUP_ERROR: `cannot read ${secret}: EACCES: permission denied`,
    });
    expect(runs[0]?.OPENCLAW_BACKUP_ARCHIVE).toBeUndefined();
    expect(metricValue(validMetrics(fx), 'last_exit_code')).toBe('1');
  });

  it('a dead monitor (closed port, then a server that never answers): the backup still succeeds', async () => {
    const fx = setup({ monitor: { url: await closedPortUrl(), timeout: '1s' } });
    const refused = await runCli(['run'], { env: fx.env });
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.stderr).toMatch(/error: monitor ping failed: .*ECONNREFUSED.*; the backup is not affected/);
    expect((await statusOf(fx)).monitor).toMatchObject({ lastPing: { kind: 'success', ok: false, attempts: 3, status: null } });

    const hang = await server({ mode: 'hang' });
    fx.setBackupConfig({ monitor: { url: hang.url, timeout: '1s' }, metricsFile: fx.metricsFile });
    const hung = await runCli(['run'], { env: fx.env });
    expect(hung.code, hung.stderr).toBe(0);
    // Three tries of each ping, each cut at the 1 s timeout: /start first, and the success ping only after it.
    expect(hang.requests.map((r) => path.basename(r.path))).toEqual(['start', 'start', 'start', PING_UUID, PING_UUID, PING_UUID]);
    expect(hung.stderr).toContain('error: monitor ping failed: no answer within 1000 ms; the backup is not affected');
    expect(archivesIn(fx.backups)).toHaveLength(2);
    const status = await statusOf(fx);
    expect(status.lastRun).toMatchObject({ result: 'ok' });
    expect(status.monitor.lastPing).toMatchObject({ kind: 'success', ok: false, attempts: 3, error: 'no answer within 1000 ms' });
    expect(metricValue(validMetrics(fx), 'last_exit_code')).toBe('0');
    const doctor = await runCli(['doctor'], { env: fx.env });
    expect(doctor.stdout).toMatch(
      /^warn +monitor: monitor http:\/\/127\.0\.0\.1:\d+\/…: the last ping \(success, 3 tries\) failed at \S+: no answer within 1000 ms; failed backups may go unnoticed$/m,
    );
    expect(doctor.stdout).toMatch(/^ok +metrics-file: metrics file .*openclaw-backup\.prom \(its directory is writable\)$/m);
    expect(doctor.stdout).not.toContain(PING_UUID);
  });

  it('create --monitor pings like a run; plain create does not', async () => {
    const ping = await server();
    const fx = setup({ monitor: ping.url });
    expect((await runCli(['create'], { env: fx.env })).code).toBe(0);
    expect(ping.requests).toEqual([]);
    const created = await runCli(['create', '--monitor', '--verify'], { env: fx.env });
    expect(created.code, created.stderr).toBe(0);
    expect(expectStartThen(ping.requests.splice(0), '').body).toMatch(
      /^openclaw-backup create: ok \(profile default, trigger manual, exit code 0\)/,
    );
    const missing = path.join(fx.home, 'no-such-dir', 'x.tar.gz');
    const failed = await runCli(['create', '--monitor', '--output', missing], { env: fx.env });
    expect(failed.code).not.toBe(0);
    const end = expectStartThen(ping.requests, '/fail');
    expect(end.body).toContain(`exit code ${failed.code})`);
    const runs = hookRuns(fx);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      OPENCLAW_BACKUP_PHASE: 'backup',
      OPENCLAW_BACKUP_EXIT_CODE: String(failed.code),
      OPENCLAW_BACKUP_TRIGGER: 'manual',
    });
    // create writes no metrics: they describe the scheduled runs.
    expect(fs.existsSync(fx.metricsFile)).toBe(false);
  });

  it('kill -9 while the success ping is in flight and while the metrics are written: the file is never half-written', async () => {
    const fx = setup({});
    expect((await runCli(['run'], { env: fx.env })).code).toBe(0);
    const first = validMetrics(fx);
    // 1: killed mid-run, while the monitor holds the success ping unanswered (the metrics come after it).
    const hang = await server({ mode: 'hang' });
    fx.setBackupConfig({ monitor: { url: hang.url, start: false }, metricsFile: fx.metricsFile });
    const child = spawn(process.execPath, [CLI, 'run'], { env: { PATH: process.env.PATH, ...fx.env }, cwd: REPO_ROOT, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('close', resolve));
    await hang.waitForRequests(1);
    expect(hang.requests[0]?.path).toBe(`/ping/${PING_UUID}`);
    child.kill('SIGKILL');
    await exited;
    expect(validMetrics(fx)).toBe(first);
    // 2: killed as soon as anything changes in the metrics dir (the temp file appears, or the file is replaced).
    fx.setBackupConfig({ metricsFile: fx.metricsFile });
    const dir = path.dirname(fx.metricsFile);
    const writer = spawn(process.execPath, [CLI, 'run'], { env: { PATH: process.env.PATH, ...fx.env }, cwd: REPO_ROOT, stdio: 'ignore' });
    const watcher = fs.watch(dir, () => writer.kill('SIGKILL'));
    await new Promise((resolve) => writer.on('close', resolve));
    watcher.close();
    validMetrics(fx);
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.prom'))).toEqual(['openclaw-backup.prom']);
    // The next run cleans the killed writer's temp file.
    expect((await runCli(['run'], { env: fx.env })).code).toBe(0);
    validMetrics(fx);
    expect(fs.readdirSync(dir)).toEqual(['openclaw-backup.prom']);
  });
});

describe.skipIf(!isRoot)('on a full disk (tmpfs, as root)', () => {
  it('backups dir full: /fail with ENOSPC and onFailure once; a full metrics disk keeps the old metrics file whole', async () => {
    const ping = await server();
    const fx = setup({ monitor: ping.url });
    const small = path.join(fx.home, 'small-backups');
    mountTmpfs(small, 64 * 1024);
    mounts.push(small);
    fx.setBackupConfig({ monitor: ping.url, onFailure: `env > "${fx.hookDir}/env.$$"`, metricsFile: fx.metricsFile, path: small });
    const run = await runCli(['run'], { env: fx.env });
    expect(run.code).toBe(1);
    const end = expectStartThen(ping.requests.splice(0), '/fail');
    expect(end.body).toMatch(/\nerror: .*ENOSPC: no space left on device/);
    const runs = hookRuns(fx);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ OPENCLAW_BACKUP_PHASE: 'backup', OPENCLAW_BACKUP_EXIT_CODE: '1' });
    expect(runs[0]?.OPENCLAW_BACKUP_ERROR).toContain('ENOSPC: no space left on device');
    expect(metricValue(validMetrics(fx), 'last_exit_code')).toBe('1');

    // The metrics dir on a tmpfs that then fills up: the run succeeds, the old metrics stay valid.
    const textfile = path.join(fx.home, 'small-textfile');
    mountTmpfs(textfile, 64 * 1024);
    mounts.push(textfile);
    const metricsFile = path.join(textfile, 'openclaw-backup.prom');
    fx.setBackupConfig({ metricsFile });
    expect((await runCli(['run'], { env: fx.env })).code).toBe(0);
    const before = fs.readFileSync(metricsFile, 'utf8');
    fs.writeFileSync(path.join(textfile, 'filler'), Buffer.alloc(0));
    try {
      fs.writeFileSync(path.join(textfile, 'filler'), Buffer.alloc(128 * 1024));
    } catch {
      // ENOSPC: the disk is full now, which is the point
    }
    const full = await runCli(['run'], { env: fx.env });
    expect(full.code, full.stderr).toBe(0);
    expect(full.stderr).toMatch(/error: could not write the metrics file; the backup is not affected .*ENOSPC/);
    expect(fs.readFileSync(metricsFile, 'utf8')).toBe(before);
    expect(promtoolCheck(before).code).toBe(0);
  });
});
