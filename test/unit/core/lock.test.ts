import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireStateLock, DAEMON_LOCK_NAME, lockPathFor, readLockOwner } from '../../../src/core/locks/lock.js';
import { acquireBackupShare, acquireOperationLock, liveShares } from '../../../src/core/locks/operation-lock.js';
import { makeTempDir, REPO_ROOT } from '../../helpers/fixture.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const DEAD = 2 ** 22 + 4242;

function stateDir(): string {
  const dir = makeTempDir('ocb-lock-');
  dirs.push(dir);
  return dir;
}

/** A separate process that takes the lock through the built module, says "held", then runs `then`. */
function holdInChild(dir: string, then: string, name = 'openclaw-backup.lock'): Promise<ChildProcess> {
  const lockModule = path.join(REPO_ROOT, 'dist', 'core', 'locks', 'lock.js');
  const code = `const { acquireStateLock } = await import(${JSON.stringify(lockModule)});
    const lock = await acquireStateLock(${JSON.stringify(dir)}, { command: 'test holder', name: ${JSON.stringify(name)}, refreshMs: 100 });
    process.stdout.write('held\\n'); ${then}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('held') && resolve(child));
    child.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
}

function writeLock(dir: string, owner: Record<string, unknown>, name = 'openclaw-backup.lock'): void {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(
    path.join(dir, name, 'owner.json'),
    JSON.stringify({ hostname: os.hostname(), command: 'old', since: '2026-01-01T00:00:00Z', ...owner }),
  );
}

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !check();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('state lock', () => {
  it('is refreshed while held (mtime moves, owner record intact) and a second taker gets exit-4 busy naming the holder', async () => {
    const dir = stateDir();
    const lock = await acquireStateLock(dir, { command: 'holder', refreshMs: 100 });
    const lockPath = lockPathFor(dir);
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(lockPath, old, old);
    await until(() => fs.statSync(lockPath).mtimeMs > Date.now() - 60_000, 'a refresh');
    expect(lock.compromised()).toBe(false);
    expect((await readLockOwner(dir))?.pid).toBe(process.pid);
    await expect(acquireStateLock(dir, { command: 'second', waitMs: 0 })).rejects.toMatchObject({
      kind: 'busy',
      message: expect.stringContaining(`pid ${process.pid}`),
    });
    await lock.release();
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it("reclaims at once a dead holder, a reused pid, one from an earlier boot, an ownerless dir and a killed taker's temp dir", async () => {
    const dir = stateDir();
    const cases: Array<Record<string, unknown> | null> = [
      { pid: DEAD },
      { pid: process.pid, started: '1', token: 'x' },
      { pid: process.pid, boot: '00000000-0000-0000-0000-000000000000', token: 'y' },
      null,
    ];
    for (const owner of cases) {
      if (owner) writeLock(dir, owner);
      else fs.mkdirSync(lockPathFor(dir));
      fs.mkdirSync(`${lockPathFor(dir)}.${DEAD}-abcd0123.tmp`);
      const lock = await acquireStateLock(dir, { command: 'next', waitMs: 0 });
      expect((await readLockOwner(dir))?.command).toBe('next');
      expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      await lock.release();
    }
  });

  it('a holder killed with SIGKILL is reclaimed at once; one that is stopped (SIGSTOP) is waited for, however old its mtime', async () => {
    const dir = stateDir();
    const killed = await holdInChild(dir, 'setInterval(() => {}, 1000);');
    killed.kill('SIGKILL');
    await new Promise((r) => killed.once('close', r));
    const lock = await acquireStateLock(dir, { command: 'after kill', waitMs: 0 });
    await lock.release();

    const stopped = await holdInChild(dir, 'setInterval(() => {}, 1000);');
    stopped.kill('SIGSTOP');
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(lockPathFor(dir), old, old);
    await expect(acquireStateLock(dir, { command: 'beside a stopped one', waitMs: 600 })).rejects.toMatchObject({ kind: 'busy' });
    stopped.kill('SIGCONT');
  });

  it('a holder on another host is reclaimed only once it stopped refreshing for 30 s', async () => {
    const dir = stateDir();
    writeLock(dir, { pid: 1, hostname: 'elsewhere' });
    await expect(acquireStateLock(dir, { command: 'x', waitMs: 0 })).rejects.toMatchObject({ kind: 'busy' });
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockPathFor(dir), old, old);
    await (await acquireStateLock(dir, { command: 'x', waitMs: 0 })).release();
  });

  it('a lock removed or taken over while held is reported, and release never throws', async () => {
    const dir = stateDir();
    const messages: string[] = [];
    const lock = await acquireStateLock(dir, {
      command: 'holder',
      name: DAEMON_LOCK_NAME,
      refreshMs: 50,
      onCompromised: (m) => messages.push(m),
    });
    fs.rmSync(lockPathFor(dir, DAEMON_LOCK_NAME), { recursive: true });
    await until(() => messages.length > 0, 'the compromised report');
    expect(messages[0]).toMatch(/openclaw-backup-daemon\.lock was removed while this process/);
    expect(lock.compromised()).toBe(true);
    await lock.release();

    const second = await acquireStateLock(dir, { command: 'holder', refreshMs: 50, onCompromised: (m) => messages.push(m) });
    fs.writeFileSync(
      path.join(lockPathFor(dir), 'owner.json'),
      JSON.stringify({ pid: 1, hostname: os.hostname(), command: 'thief', since: 'now', token: 'other' }),
    );
    await second.release();
    expect(messages.at(-1)).toMatch(/no longer ours|taken over by pid 1/);
    expect(fs.existsSync(lockPathFor(dir))).toBe(true);
  });

  it('is removed when its holder exits without releasing (process.exit)', async () => {
    const dir = stateDir();
    const child = await holdInChild(dir, 'process.exit(3);');
    await new Promise((r) => child.once('close', r));
    expect(fs.existsSync(lockPathFor(dir))).toBe(false);
  });
});

describe('operation lock', () => {
  it('a restore waits for running backups; no backup starts while it holds the lock; dead shares do not count', async () => {
    const dir = stateDir();
    fs.writeFileSync(
      path.join(dir, `openclaw-backup-share.${DEAD}-00aa.lock`),
      JSON.stringify({ pid: DEAD, hostname: os.hostname(), command: 'killed backup', since: 'x' }),
    );
    const share = await acquireBackupShare(dir, { command: 'openclaw-backup daemon' });
    expect((await liveShares(dir)).map((s) => s.command)).toEqual(['openclaw-backup daemon']);
    await expect(acquireOperationLock(dir, { command: 'restore', waitMs: 300 })).rejects.toMatchObject({
      kind: 'busy',
      message: expect.stringMatching(/a backup is running on .*openclaw-backup daemon/),
    });
    const waiting = acquireOperationLock(dir, { command: 'openclaw-backup restore', waitMs: 20_000 });
    await new Promise((r) => setTimeout(r, 300));
    await share.release();
    const restore = await waiting;
    await expect(acquireBackupShare(dir, { command: 'create', waitMs: 200 })).rejects.toMatchObject({
      kind: 'busy',
      message: expect.stringContaining('openclaw-backup restore'),
    });
    await restore.release();
    await (await acquireBackupShare(dir, { command: 'create', waitMs: 0 })).release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
