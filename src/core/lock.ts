import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { BusyError, throwIfAborted } from '../errors.js';
import { isProcessAlive } from './fs/atomic.js';

/** The cooperative lock: `<stateDir>/openclaw-backup.lock` (a directory, as proper-lockfile makes it). */
export const LOCK_NAME = 'openclaw-backup.lock';
/** Held by a running daemon for its whole life: a second daemon on the same state dir refuses to start. */
export const DAEMON_LOCK_NAME = 'openclaw-backup-daemon.lock';
const OWNER_FILE = 'owner.json';
/** A lock whose mtime was not refreshed for this long is stale (its owner hung or died). */
const STALE_MS = 30_000;

export interface LockOwner {
  pid: number;
  hostname: string;
  command: string;
  since: string;
}

export interface StateLock {
  path: string;
  release(): Promise<void>;
  /** True when proper-lockfile found the lock taken over (e.g. the machine slept past the stale time). */
  compromised(): boolean;
}

export interface AcquireLockOptions {
  command: string;
  /** How long to wait for a holder to finish before giving up with BusyError (exit 4). */
  waitMs?: number;
  signal?: AbortSignal | undefined;
  /** Another lock in the state dir (the daemon's, DAEMON_LOCK_NAME); default LOCK_NAME. */
  name?: string;
}

export function lockPathFor(stateDir: string, name = LOCK_NAME): string {
  return path.join(stateDir, name);
}

export async function readLockOwner(stateDir: string, name = LOCK_NAME): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(lockPathFor(stateDir, name), OWNER_FILE), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return 'another process';
  return `pid ${owner.pid} on ${owner.hostname} (${owner.command}, since ${owner.since})`;
}

/** Removes the lock when its owner, on this host, is no longer running. */
async function reclaimIfOwnerDead(stateDir: string, name: string): Promise<boolean> {
  const owner = await readLockOwner(stateDir, name);
  if (!owner || owner.hostname !== os.hostname() || isProcessAlive(owner.pid)) return false;
  await fs.rm(lockPathFor(stateDir, name), { recursive: true, force: true });
  return true;
}

/**
 * Takes the inter-process lock on a state dir. Stale locks (dead owner on this host, or no refresh for 30 s)
 * are reclaimed. While another live holder keeps it, waits up to `waitMs`, then throws BusyError naming it.
 */
export async function acquireStateLock(stateDir: string, options: AcquireLockOptions): Promise<StateLock> {
  const name = options.name ?? LOCK_NAME;
  const lockPath = lockPathFor(stateDir, name);
  // proper-lockfile keys its in-process registry by the locked path: each lock needs its own.
  const lockedPath = name === LOCK_NAME ? stateDir : path.join(stateDir, `${name}.target`);
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  let compromised = false;
  for (;;) {
    throwIfAborted(options.signal);
    await reclaimIfOwnerDead(stateDir, name);
    try {
      const release = await lockfile.lock(lockedPath, {
        lockfilePath: lockPath,
        realpath: false,
        stale: STALE_MS,
        update: STALE_MS / 3,
        onCompromised: () => {
          compromised = true;
        },
      });
      const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), command: options.command, since: new Date().toISOString() };
      // On a full disk the lock dir can be made but not the owner file: give the lock back, or it blocks for 30 s.
      await fs.writeFile(path.join(lockPath, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 }).catch(async (error: unknown) => {
        await fs.rm(path.join(lockPath, OWNER_FILE), { force: true }).catch(() => {});
        await release().catch(() => {});
        throw error;
      });
      return {
        path: lockPath,
        compromised: () => compromised,
        release: async () => {
          await fs.rm(path.join(lockPath, OWNER_FILE), { force: true });
          await release().catch(() => {});
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    }
    if (Date.now() >= deadline) {
      const owner = await readLockOwner(stateDir, name);
      throw new BusyError(`state dir ${stateDir} is locked by ${describeOwner(owner)}; lock ${lockPath}`, { details: { lock: lockPath, owner } });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs `fn` while holding the state lock. */
export async function withStateLock<T>(stateDir: string, options: AcquireLockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireStateLock(stateDir, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
