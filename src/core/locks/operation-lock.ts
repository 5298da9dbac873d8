import fs from 'node:fs/promises';
import path from 'node:path';
import { BusyError, throwIfAborted } from '../../errors.js';
import { isProcessAlive, writeFileAtomic } from '../fs/atomic.js';
import { newOwner, ownerLiveness, readOwnerFile, type LockOwner } from './lock-dir.js';
import { acquireStateLock, describeOwner, sleep, type AcquireLockOptions, type StateLock } from './lock.js';

/**
 * The operation lock keeps a restore and backups apart for their whole run (not just the snapshot phase):
 * restore holds `openclaw-backup-op.lock` exclusively; every backup holds a share, a file
 * `openclaw-backup-share.<pid>-<token>.lock` beside it. A share is only added while holding the exclusive lock for a moment, so none
 * appears while a restore runs; a restore waits for the shares present when it took the lock. Lock order: this
 * lock before the state lock; a share holder never asks for this lock's exclusive side.
 */
export const OP_LOCK_NAME = 'openclaw-backup-op.lock';
/** Prefix of the share files in the state dir. */
export const OP_SHARE_PREFIX = 'openclaw-backup-share.';
const SHARE_NAME = /^openclaw-backup-share\.\d+-[0-9a-f]+\.lock$/;
const STALE_MS = 30_000;
const REFRESH_MS = 10_000;

type ShareOptions = Omit<AcquireLockOptions, 'name'>;

/** Live shares; records of dead holders (or silent remote ones) are removed on the way. */
export async function liveShares(stateDir: string): Promise<LockOwner[]> {
  const live: LockOwner[] = [];
  for (const name of await fs.readdir(stateDir).catch(() => [] as string[])) {
    if (!name.startsWith(OP_SHARE_PREFIX)) continue;
    const file = path.join(stateDir, name);
    if (name.endsWith('.tmp')) {
      if (!isProcessAlive(Number(/\.(\d+)-[0-9a-f]+\.tmp$/.exec(name)?.[1]))) await fs.rm(file, { force: true });
      continue;
    }
    if (!SHARE_NAME.test(name)) continue;
    const owner = await readOwnerFile(file);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat) continue;
    const liveness = owner ? ownerLiveness(owner) : 'dead';
    if (liveness === 'dead' || (liveness === 'remote' && Date.now() - stat.mtimeMs > STALE_MS)) {
      await fs.rm(file, { force: true });
      continue;
    }
    live.push(owner as LockOwner);
  }
  return live;
}

function holdShare(file: string, owner: LockOwner, options: ShareOptions): StateLock {
  let lost = false;
  let released = false;
  const lose = (message: string) => {
    if (lost) return;
    lost = true;
    clearInterval(timer);
    options.onCompromised?.(message);
  };
  const timer = setInterval(() => {
    const now = new Date();
    fs.utimes(file, now, now).catch(() => {
      if (!released) lose(`backup share ${file} was removed while this process (pid ${owner.pid}) held it`);
    });
  }, options.refreshMs ?? REFRESH_MS);
  timer.unref();
  return {
    path: file,
    owner,
    compromised: () => lost,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      await fs.rm(file).catch((error: NodeJS.ErrnoException) => {
        if (!lost) lose(`backup share ${file} could not be removed: ${error.code === 'ENOENT' ? 'it was already gone' : error.message}`);
      });
    },
  };
}

/** A backup's share: waits while a restore holds the operation lock (up to waitMs, then BusyError). */
export async function acquireBackupShare(stateDir: string, options: ShareOptions): Promise<StateLock> {
  const gate = await acquireStateLock(stateDir, { ...options, name: OP_LOCK_NAME });
  try {
    await liveShares(stateDir);
    const owner = newOwner(options.command);
    const file = path.join(stateDir, `${OP_SHARE_PREFIX}${owner.pid}-${owner.token}.lock`);
    await writeFileAtomic(file, JSON.stringify(owner));
    return holdShare(file, owner, options);
  } finally {
    await gate.release();
  }
}

/** Restore's side: the operation lock, once every running backup has finished (waits up to waitMs). */
export async function acquireOperationLock(stateDir: string, options: ShareOptions): Promise<StateLock> {
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  const gate = await acquireStateLock(stateDir, { ...options, name: OP_LOCK_NAME });
  try {
    for (;;) {
      const shares = await liveShares(stateDir);
      if (shares.length === 0) return gate;
      throwIfAborted(options.signal);
      if (Date.now() >= deadline) {
        const waited = Math.round((options.waitMs ?? 60_000) / 1000);
        throw new BusyError(`a backup is running on ${stateDir}: ${describeOwner(shares[0])}; waited ${waited} s for it to finish`, {
          details: { owner: shares[0] },
        });
      }
      await sleep(200, options.signal);
    }
  } catch (error) {
    await gate.release();
    throw error;
  }
}
