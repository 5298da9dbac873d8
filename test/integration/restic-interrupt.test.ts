import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';
import { restic, snapshotsOf, startServer, writePasswordFile, type ResticCall, type TestServer } from '../helpers/restic.js';
import { resticMidTransfer, resticProcesses } from '../helpers/restic-procs.js';
import { waitFor } from '../helpers/wait.js';
import { tempsIn } from './daemon-process.js';

/**
 * Issue 25 items 5 and 9 on a repository served by `rclone serve restic` on 127.0.0.1, throttled (--bwlimit) so a
 * transfer is still under way when the test acts: SIGTERM mid-upload, the server killed mid-backup and mid-restore.
 * Each ends in one line and the documented exit code, leaves no staging behind, and the repository checks clean.
 */
const BIG = 24 * 1024 * 1024;

let home: string;
let stateDir: string;
let call: ResticCall;
let data: string;
let server: TestServer | undefined;

/** rclone's REST server on the repository dir; throttled to `bwlimit` when given. */
async function serve(bwlimit?: string): Promise<string> {
  await server?.stop();
  server = await startServer('rclone', (port) => [
    'serve',
    'restic',
    ...(bwlimit ? ['--bwlimit', bwlimit] : []),
    '--addr',
    `127.0.0.1:${port}`,
    data,
  ]);
  const url = `rest:http://127.0.0.1:${server.port}/`;
  call = { ...call, repo: url };
  const configPath = path.join(stateDir, 'openclaw.json');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { plugins: { entries: Record<string, unknown> } };
  // A short stall time only while the test kills the server (restic then retries for minutes); a loaded machine
  // never has a healthy run stopped by it.
  const stall = bwlimit ? { stallTimeout: '10s' } : {};
  config.plugins.entries['openclaw-backup'] = { config: { repository: { url, passwordFile: call.passwordFile, ...stall } } };
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  return url;
}

/** The server dies as a host or a network would: SIGKILL by PID, nothing said to restic. */
function killServer(): void {
  process.kill(server!.pid, 'SIGKILL');
  server = undefined;
}

const env = () => ({ HOME: home });
const oneLine = (stderr: string) =>
  stderr.split('\n').filter((l) => l.startsWith('openclaw-backup: ') && !l.includes('received, stopping'));
const restoreStaging = () => fs.readdirSync(home).filter((n) => n.startsWith('.openclaw-backup-restore-'));

beforeEach(async () => {
  home = makeTempDir('ocb-restic-interrupt-');
  stateDir = unpackFixture(home);
  data = path.join(home, 'rest-data');
  fs.mkdirSync(data);
  call = { repo: '', passwordFile: writePasswordFile(home) };
  // Random bytes: nothing for restic to deduplicate or compress, so the throttled upload takes its time.
  fs.writeFileSync(path.join(stateDir, 'workspace', 'big.bin'), crypto.randomBytes(BIG));
  await serve();
  restic(call, ['init']);
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  fs.rmSync(home, { recursive: true, force: true });
});

describe('restic interrupted mid-transfer', () => {
  it('SIGTERM mid-upload: restic is stopped, exit 130, no snapshot, the repository checks clean, the next run succeeds', async () => {
    const url = await serve('1M');
    const create = startCli(['create'], { env: env(), timeoutMs: 300_000 });
    const uploading = await waitFor(() => resticMidTransfer(url, ['backup'], 2 * 1024 * 1024), {
      what: () => `restic backup under way; stderr: ${create.stderr()}`,
      timeoutMs: 120_000,
    });
    create.child.kill('SIGTERM');
    const result = await create.done;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    await waitFor(() => resticProcesses(url).length === 0, { what: `restic ${uploading.pid} to end` });
    expect(snapshotsOf(call)).toEqual([]);
    await serve();
    // restic got SIGINT and removed its lock: an exclusive check gets the repository.
    expect(restic(call, ['check'])).toContain('no errors were found');
    expect(tempsIn(path.join(stateDir, 'backups'))).toEqual([]);
    const next = await runCli(['run'], { env: env(), timeoutMs: 300_000 });
    expect(next.code, next.stderr).toBe(0);
    expect(snapshotsOf(call)).toHaveLength(1);
  }, 400_000);

  it('the server killed mid-backup: one line, exit 1, no snapshot, no staging; restarted, it checks clean and the next run succeeds', async () => {
    const url = await serve('1M');
    const create = startCli(['create'], { env: env(), timeoutMs: 300_000 });
    await waitFor(() => resticMidTransfer(url, ['backup'], 2 * 1024 * 1024), {
      what: () => `restic backup under way; stderr: ${create.stderr()}`,
      timeoutMs: 120_000,
    });
    killServer();
    const result = await create.done;
    expect(result.code, result.stderr).toBe(1);
    expect(oneLine(result.stderr), result.stderr).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(resticProcesses(url)).toEqual([]);
    expect(tempsIn(path.join(stateDir, 'backups'))).toEqual([]);
    await serve();
    expect(snapshotsOf(call)).toEqual([]);
    // The killed restic's lock may be left (the server was gone when it tried to remove it): read without one.
    expect(restic(call, ['check', '--no-lock'])).toContain('no errors were found');
    const next = await runCli(['run'], { env: env(), timeoutMs: 300_000 });
    expect(next.code, next.stderr).toBe(0);
    expect(restic(call, ['check'])).toContain('no errors were found');
  }, 400_000);

  it('the server killed mid-restore: one line, exit 1, no plaintext staging left, the repository checks clean', async () => {
    const made = await runCli(['create'], { env: env(), timeoutMs: 300_000 });
    expect(made.code, made.stderr).toBe(0);
    const url = await serve('1M');
    const target = path.join(home, 'copy');
    const restore = startCli(['restore', 'latest', '--target', target], { env: env(), timeoutMs: 300_000 });
    await waitFor(() => resticMidTransfer(url, ['dump', 'restore'], 2 * 1024 * 1024), {
      what: () => `restic reading the snapshot; stderr: ${restore.stderr()}`,
      timeoutMs: 120_000,
    });
    killServer();
    const result = await restore.done;
    expect(result.code, result.stderr).toBe(1);
    expect(oneLine(result.stderr), result.stderr).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(resticProcesses(url)).toEqual([]);
    expect(restoreStaging()).toEqual([]);
    expect(fs.existsSync(target)).toBe(false);
    await serve();
    expect(restic(call, ['check', '--no-lock'])).toContain('no errors were found');
  }, 400_000);
});
