import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';
import { restic, snapshotsOf, writePasswordFile, type ResticCall } from '../helpers/restic.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Issue 25 item 11: a repository locked by another host's restic. Another host's backup (a real restic under another
 * host name, `unshare -u`, reading a stdin the test holds open) keeps its lock while our run's retention needs an
 * exclusive one: the run waits for it (bounded by repository.lockWait, saying so) instead of failing the night.
 */
const isRoot = process.getuid?.() === 0;
let home: string;
let stateDir: string;
let call: ResticCall;
const others: ChildProcess[] = [];

function setBlock(lockWait: string): void {
  const configPath = path.join(stateDir, 'openclaw.json');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { plugins: { entries: Record<string, unknown> } };
  config.plugins.entries['openclaw-backup'] = {
    config: { repository: { url: call.repo, passwordFile: call.passwordFile, lockWait }, retention: 1 },
  };
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
}

// restic's local backend writes a file as `<id>-tmp-<n>` and renames it: only a renamed one is a lock restic sees.
const locks = () => fs.readdirSync(path.join(call.repo, 'locks')).filter((name) => !name.includes('-tmp-'));

/** `restic backup --stdin` as host "other-host": it holds its lock until its stdin closes. */
async function otherHostBackup(): Promise<ChildProcess> {
  const before = locks().length;
  const child = spawn(
    'unshare',
    [
      ...(isRoot ? [] : ['--map-root-user']),
      '--uts',
      'sh',
      '-c',
      'hostname other-host && exec restic --no-cache backup --stdin --stdin-filename held.txt',
    ],
    {
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), RESTIC_REPOSITORY: call.repo, RESTIC_PASSWORD_FILE: call.passwordFile },
      stdio: ['pipe', 'ignore', 'pipe'],
    },
  );
  others.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin?.write('held\n');
  await waitFor(() => locks().length > before || (child.exitCode !== null && Promise.reject(new Error(stderr))), {
    what: () => `the other host's lock; restic said: ${stderr}`,
  });
  return child;
}

async function release(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin?.end();
  await exited;
}

beforeEach(async () => {
  home = makeTempDir('ocb-restic-lock-');
  stateDir = unpackFixture(home);
  call = { repo: path.join(home, 'repo'), passwordFile: writePasswordFile(home) };
  restic(call, ['init']);
  setBlock('2m');
  const first = await runCli(['run'], { env: { HOME: home }, timeoutMs: 300_000 });
  expect(first.code, first.stderr).toBe(0);
}, 300_000);
afterEach(() => {
  for (const child of others.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(home, { recursive: true, force: true });
});

describe("a repository locked by another host's backup", () => {
  it('the run waits for the lock, says so, and succeeds once the other backup is done', async () => {
    const other = await otherHostBackup();
    const run = startCli(['run'], { env: { HOME: home }, timeoutMs: 300_000 });
    await waitFor(() => /is locked by another restic process .*other-host.*; retrying for up to 2m/.test(run.stderr()), {
      what: () => `the run to wait for the lock; stderr: ${run.stderr()}`,
      timeoutMs: 120_000,
    });
    await release(other);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    const snapshots = snapshotsOf(call);
    // Retention (keep 1) removed our older snapshot, and never touched the other host's.
    expect(snapshots.filter((s) => s.hostname === os.hostname())).toHaveLength(1);
    expect(snapshots.filter((s) => s.hostname === 'other-host')).toHaveLength(1);
  }, 300_000);

  it('a lock held past repository.lockWait fails the run with exit 4 naming the setting', async () => {
    setBlock('5s');
    const other = await otherHostBackup();
    const run = await runCli(['run'], { env: { HOME: home }, timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toMatch(/is locked by another restic process .*other-host.*; waited 5s \(\S*repository\.lockWait\)/);
    await release(other);
  }, 300_000);

  it('a stale lock of a dead restic of ours is removed at once, not waited for', async () => {
    const dead = spawn('restic', ['--no-cache', 'backup', '--stdin', '--stdin-filename', 'dead.txt'], {
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), RESTIC_REPOSITORY: call.repo, RESTIC_PASSWORD_FILE: call.passwordFile },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    others.push(dead);
    await waitFor(() => locks().length > 0, { what: 'the lock of the restic about to be killed' });
    const exited = new Promise((resolve) => dead.once('exit', resolve));
    dead.kill('SIGKILL');
    await exited;
    expect(locks()).toHaveLength(1);
    setBlock('10m');
    const run = await runCli(['run'], { env: { HOME: home }, timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('retrying');
    expect(locks()).toEqual([]);
  }, 300_000);
});
