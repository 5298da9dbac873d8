/*
 * The locks module: the state lock (one writer of the state), the operation lock (backups vs. restore) and the
 * quiesce lock (OpenClaw paused for the snapshots), all on lock-dir.ts, which survives kill -9.
 */
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BusyError, throwIfAborted } from '../../errors.js';
import {
  cleanLockTemps,
  createLockDir,
  isHeldError,
  newOwner,
  OWNER_FILE,
  ownerLiveness,
  readOwnerFile,
  readOwnerFileSync,
  removeLockDir,
  sameOwner,
  type LockOwner,
} from './lock-dir.js';

export type { LockOwner } from './lock-dir.js';

/** The state lock: `<stateDir>/openclaw-backup.lock/` (held by restore, prune and the snapshot phase). */
export const LOCK_NAME = 'openclaw-backup.lock';
/** Held by a running daemon for its whole life: a second daemon on the same state dir refuses to start. */
export const DAEMON_LOCK_NAME = 'openclaw-backup-daemon.lock';
/** A lock refreshed less often than this is stale, but only when its holder runs on another host (shared fs). */
const STALE_MS = 30_000;
const REFRESH_MS = 10_000;
const POLL_MS = 200;

export interface StateLock {
  path: string;
  owner: LockOwner;
  /** Removes the lock if it is still ours; never throws (a problem goes to onCompromised). */
  release(): Promise<void>;
  /** True once the lock was found removed or taken over while held. */
  compromised(): boolean;
}

export interface AcquireLockOptions {
  command: string;
  /** How long to wait for a holder to finish before giving up with BusyError (exit 4). */
  waitMs?: number;
  signal?: AbortSignal | undefined;
  /** Another lock in the state dir (the daemon's, DAEMON_LOCK_NAME); default LOCK_NAME. */
  name?: string;
  /** Told when the lock is lost while held (removed, taken over) or cannot be released. Core never prints. */
  onCompromised?: ((message: string) => void) | undefined;
  /** How often the lock's mtime is refreshed and its owner record checked (tests shorten it). */
  refreshMs?: number;
}

export function lockPathFor(stateDir: string, name = LOCK_NAME): string {
  return path.join(stateDir, name);
}

export async function readLockOwner(stateDir: string, name = LOCK_NAME): Promise<LockOwner | undefined> {
  return readOwnerFile(path.join(lockPathFor(stateDir, name), OWNER_FILE));
}

export function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return 'another process';
  return `pid ${owner.pid} on ${owner.hostname} (${owner.command}, since ${owner.since})`;
}

/** Locks this process holds, removed on exit even when a finally block never runs (process.exit). */
const held = new Map<string, LockOwner>();
let exitHookInstalled = false;

function releaseAllSync(): void {
  for (const [lockPath, owner] of held) {
    if (sameOwner(readOwnerFileSync(path.join(lockPath, OWNER_FILE)), owner)) fsSync.rmSync(lockPath, { recursive: true, force: true });
  }
  held.clear();
}

/** A holder that is dead (on this host), or silent for the stale time (on another host), or no holder at all. */
async function judgeHolder(lockPath: string, holder: LockOwner | undefined): Promise<'retry' | 'reclaim' | 'wait'> {
  const stat = await fs.stat(lockPath).catch((error: NodeJS.ErrnoException) => error);
  if (stat instanceof Error) return stat.code === 'ENOENT' ? 'retry' : 'wait';
  if (!holder) return 'reclaim';
  const liveness = ownerLiveness(holder);
  if (liveness === 'dead') return 'reclaim';
  return liveness === 'remote' && Date.now() - stat.mtimeMs > STALE_MS ? 'reclaim' : 'wait';
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function holdLock(lockPath: string, owner: LockOwner, options: AcquireLockOptions): StateLock {
  let lost = false;
  let released = false;
  const lose = (message: string) => {
    if (lost) return;
    lost = true;
    clearInterval(timer);
    held.delete(lockPath);
    options.onCompromised?.(message);
  };
  // The mtime tells other hosts we are alive; the owner record tells us the lock is still ours.
  const timer = setInterval(() => {
    void (async () => {
      const current = await readOwnerFile(path.join(lockPath, OWNER_FILE));
      if (released || lost) return;
      if (!sameOwner(current, owner)) {
        lose(
          `lock ${lockPath} was ${current ? `taken over by ${describeOwner(current)}` : 'removed'} while this process (pid ${owner.pid}) held it`,
        );
        return;
      }
      const now = new Date();
      await fs.utimes(lockPath, now, now).catch(() => {});
    })();
  }, options.refreshMs ?? REFRESH_MS);
  timer.unref();
  held.set(lockPath, owner);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', releaseAllSync);
  }
  return {
    path: lockPath,
    owner,
    compromised: () => lost,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      held.delete(lockPath);
      if (lost) return;
      try {
        if (!(await removeLockDir(lockPath, owner))) lose(`lock ${lockPath} was no longer ours when pid ${owner.pid} released it`);
      } catch (error) {
        lose(`could not release lock ${lockPath}: ${(error as Error).message}`);
      }
    },
  };
}

/**
 * Takes an inter-process lock in a state dir. The lock dir is created with its owner record in one rename, so a
 * lock always names its holder; a holder that died on this host (pid gone, reused, or from an earlier boot) is
 * reclaimed at once, one on another host after 30 s without refresh. A live holder, even a stopped one, is waited
 * for up to `waitMs`, then BusyError (exit 4) names it. While held, the lock is refreshed every 10 s.
 */
export async function acquireStateLock(stateDir: string, options: AcquireLockOptions): Promise<StateLock> {
  const name = options.name ?? LOCK_NAME;
  const lockPath = lockPathFor(stateDir, name);
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  await cleanLockTemps(stateDir, name);
  for (;;) {
    throwIfAborted(options.signal);
    const owner = newOwner(options.command);
    try {
      await createLockDir(lockPath, owner);
      return holdLock(lockPath, owner, options);
    } catch (error) {
      if (!isHeldError(error)) throw error;
    }
    const holder = await readOwnerFile(path.join(lockPath, OWNER_FILE));
    const verdict = await judgeHolder(lockPath, holder);
    if (verdict === 'reclaim') await removeLockDir(lockPath, holder);
    if (verdict !== 'wait') continue;
    if (Date.now() >= deadline) {
      throw new BusyError(`state dir ${stateDir} is locked by ${describeOwner(holder)}; lock ${lockPath}`, {
        details: { lock: lockPath, owner: holder },
      });
    }
    await sleep(POLL_MS, options.signal);
  }
}

/** Runs `fn` while holding the lock; the lock is released on every way out. */
export async function withStateLock<T>(stateDir: string, options: AcquireLockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireStateLock(stateDir, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
