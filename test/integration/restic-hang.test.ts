import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/fixture.js';
import { PING_UUID, startPingServer, type PingServer } from '../helpers/ping-server.js';
import { promtoolCheck } from '../helpers/promtool.js';
import { restic, snapshotsOf, writePasswordFile, type ResticCall } from '../helpers/restic.js';
import { installResticShim, isRunning, type ResticShim } from '../helpers/restic-shim.js';
import { waitFor } from '../helpers/wait.js';
import { fixtureHome, startDaemon, type DaemonProcess, type FixtureHome } from './daemon-process.js';

/**
 * Issue 25 item 8: a restic that hangs (a PATH shim that blocks in some subcommands, as restic does on a stalled
 * backend) under `run` and the daemon. A hung short command hits its deadline, a silent long one the stall detector;
 * either way the run fails loudly (status record, onFailure, monitor /fail, metrics) and nothing is left running.
 */
interface Setup extends FixtureHome {
  call: ResticCall;
  shim: ResticShim;
  hookDir: string;
  metricsFile: string;
  ping: PingServer;
}

const homes: string[] = [];
const servers: PingServer[] = [];
const shims: ResticShim[] = [];
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  await daemon?.stop('SIGKILL');
  daemon = undefined;
  // A shim the code under test failed to stop must not outlive the test.
  for (const shim of shims.splice(0)) for (const { pid } of shim.hung()) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  for (const server of servers.splice(0)) await server.close();
  for (const home of homes.splice(0)) fs.rmSync(home, { recursive: true, force: true });
});

async function setup(hang: string[], repository: Record<string, unknown>, block: Record<string, unknown> = {}, ignoreSigint = false) {
  const home = makeTempDir('ocb-restic-hang-');
  homes.push(home);
  const call: ResticCall = { repo: path.join(home, 'repo'), passwordFile: writePasswordFile(home) };
  restic(call, ['init']);
  const hookDir = path.join(home, 'hook');
  fs.mkdirSync(hookDir);
  const metricsFile = path.join(home, 'openclaw-backup.prom');
  const ping = await startPingServer();
  servers.push(ping);
  const shim = installResticShim(home, { hang, ignoreSigint });
  shims.push(shim);
  const fx = fixtureHome(home, {
    repository: { url: call.repo, passwordFile: call.passwordFile, ...repository },
    onFailure: `env > "${hookDir}/env.$$"`,
    metricsFile,
    monitor: ping.url,
    ...block,
  });
  const setup: Setup = { ...fx, env: { ...fx.env, PATH: shim.path }, call, shim, hookDir, metricsFile, ping };
  return setup;
}

/** The test's backup block with the repository's default limits. */
function backupBlock(fx: Setup): Record<string, unknown> {
  return {
    repository: { url: fx.call.repo, passwordFile: fx.call.passwordFile },
    onFailure: `env > "${fx.hookDir}/env.$$"`,
    metricsFile: fx.metricsFile,
    monitor: fx.ping.url,
  };
}

function onFailureRuns(fx: Setup): Record<string, string>[] {
  return fs.readdirSync(fx.hookDir).map((name) =>
    Object.fromEntries(
      fs
        .readFileSync(path.join(fx.hookDir, name), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('OPENCLAW_BACKUP_'))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    ),
  );
}

function metric(fx: Setup, name: string): string | undefined {
  const text = fs.readFileSync(fx.metricsFile, 'utf8');
  expect(promtoolCheck(text)).toEqual({ code: 0, output: '' });
  return new RegExp(`^openclaw_backup_${name}\\{profile="default"\\} (\\S+)$`, 'm').exec(text)?.[1];
}

const paths = (fx: Setup) => fx.ping.requests.map((r) => r.path.replace(`/ping/${PING_UUID}`, '') || '/');
const statusOf = async (fx: Setup) => JSON.parse((await runCli(['status', '--json'], { env: { HOME: fx.home } })).stdout);

async function expectShimsGone(fx: Setup): Promise<void> {
  const hung = fx.shim.hung();
  expect(hung.length).toBeGreaterThan(0);
  await waitFor(() => hung.every(({ pid }) => !isRunning(pid)), { what: `hung restic ${JSON.stringify(hung)} to be stopped` });
}

describe('a restic that hangs', () => {
  it('run: a hung `restic unlock` hits its deadline; the run fails with one line, onFailure, /fail and metrics', async () => {
    const fx = await setup(['unlock'], { commandTimeout: '15s' });
    const run = await runCli(['run'], { env: fx.env, timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/restic unlock on repository \S+ did not finish within 15s \(\S*repository\.commandTimeout\); stopped it/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    await expectShimsGone(fx);
    await fx.ping.waitForRequests(2);
    expect(paths(fx)).toEqual(['/start', '/fail']);
    expect(onFailureRuns(fx)).toEqual([expect.objectContaining({ OPENCLAW_BACKUP_EXIT_CODE: '1', OPENCLAW_BACKUP_PHASE: 'backup' })]);
    expect(onFailureRuns(fx)[0]?.OPENCLAW_BACKUP_ERROR).toMatch(/did not finish within 15s/);
    expect(metric(fx, 'last_exit_code')).toBe('1');
    expect((await statusOf(fx)).lastRun).toMatchObject({ result: 'failed', error: expect.stringMatching(/did not finish within 15s/) });
    expect(snapshotsOf(fx.call)).toEqual([]);
  }, 300_000);

  it('run: a `restic backup` that moves nothing is stopped by the stall detector; no snapshot, the repository checks clean', async () => {
    const fx = await setup(['backup'], { stallTimeout: '10s' });
    const run = await runCli(['run'], { env: fx.env, timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/restic backup on repository \S+ made no progress for 10s \(\S*repository\.stallTimeout\); stopped it/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    await expectShimsGone(fx);
    await fx.ping.waitForRequests(2);
    expect(paths(fx)).toEqual(['/start', '/fail']);
    expect(onFailureRuns(fx)).toHaveLength(1);
    expect(metric(fx, 'last_exit_code')).toBe('1');
    expect(snapshotsOf(fx.call)).toEqual([]);
    expect(restic(fx.call, ['check'])).toContain('no errors were found');
    // The next run is a real restic under the default stall time: a loaded machine cannot make it look stuck.
    fx.setBackupConfig(backupBlock(fx));
    fs.rmSync(fx.shim.flag);
    const next = await runCli(['run'], { env: fx.env, timeoutMs: 300_000 });
    expect(next.code, next.stderr).toBe(0);
    expect(snapshotsOf(fx.call)).toHaveLength(1);
  }, 300_000);

  it('daemon: each hung run fails loudly and the next slots still run; once restic answers again, a backup succeeds', async () => {
    const fx = await setup(['unlock'], { commandTimeout: '10s' }, { auto: true, schedule: '* * * * * *' });
    daemon = startDaemon(fx.env);
    const failed = (r: { msg: string }) => r.msg === 'backup failed';
    await daemon.waitFor(failed, 120_000);
    await daemon.waitFor(() => daemon!.count(failed) >= 2, 120_000);
    const failures = daemon.records.filter(failed);
    expect(
      failures.every((r) => /did not finish within 10s/.test(String(r.error))),
      JSON.stringify(failures),
    ).toBe(true);
    await waitFor(() => onFailureRuns(fx).length >= 2, { what: 'onFailure after each failed run' });
    await waitFor(() => paths(fx).filter((p) => p === '/fail').length >= 2, { what: 'a /fail ping per failed run' });
    expect(metric(fx, 'last_exit_code')).toBe('1');
    // Real restic from here on, under the default deadline: the daemon reloads the config, then the shim lets go.
    const reloads = daemon.count((r) => r.msg === 'config reloaded');
    fx.setBackupConfig({ ...backupBlock(fx), auto: true, schedule: '* * * * * *' });
    await daemon.waitFor(() => daemon!.count((r) => r.msg === 'config reloaded') > reloads, 120_000);
    fs.rmSync(fx.shim.flag);
    const from = daemon.records.length;
    const ok = await daemon.waitFor((r) => r.msg === 'backup finished' && r.result === 'ok', 120_000, from);
    expect(ok.archive).toMatch(/^[0-9a-f]{8}$/);
    await expectShimsGone(fx);
    expect(await daemon.stop('SIGTERM')).toBe(0);
  }, 400_000);

  it('daemon: SIGTERM while restic hangs (and ignores SIGINT) ends the daemon and its restic child', async () => {
    const fx = await setup(['unlock'], {}, { auto: true, schedule: '* * * * * *' }, true);
    daemon = startDaemon(fx.env);
    const [hung] = await waitFor(() => fx.shim.hung().length > 0 && fx.shim.hung(), { what: 'restic unlock to hang' });
    expect(isRunning(hung!.pid)).toBe(true);
    daemon.child.kill('SIGTERM');
    // SIGINT first (restic would drop its lock), SIGKILL after the grace: well before systemd's TimeoutStopSec.
    const code = await Promise.race([daemon.exited, waitFor(() => false, { what: 'the daemon to exit', timeoutMs: 60_000 })]);
    expect(code).toBe(0);
    await waitFor(() => !isRunning(hung!.pid), { what: `restic ${hung!.pid} to be gone` });
    expect(daemon.records.find((r) => r.msg === 'backup interrupted')).toBeDefined();
  }, 300_000);
});
