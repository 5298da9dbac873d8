import { randomBytes } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive } from '../fs/atomic.js';

/** Inside every lock dir: who holds it. Written before the dir gets its name, so a lock never lacks it. */
export const OWNER_FILE = 'owner.json';

export interface LockOwner {
  pid: number;
  hostname: string;
  command: string;
  since: string;
  /** Random per acquisition: tells this holder's lock from a later one's with the same pid. */
  token?: string;
  /** Linux boot id and the holder's start time (clock ticks since boot): a reused pid is not the holder. */
  boot?: string;
  started?: string;
}

let bootId: string | undefined | null = null;

function currentBoot(): string | undefined {
  if (bootId === null) {
    try {
      bootId = fsSync.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
    } catch {
      bootId = undefined;
    }
  }
  return bootId;
}

/** Start time and state of a process from /proc (Linux); undefined elsewhere or when it is gone. */
function procStat(pid: number): { started: string; state: string } | undefined {
  try {
    const text = fsSync.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', started: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

export function newOwner(command: string): LockOwner {
  const stat = procStat(process.pid);
  return {
    pid: process.pid,
    hostname: os.hostname(),
    command,
    since: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
    ...(currentBoot() ? { boot: currentBoot() } : {}),
    ...(stat ? { started: stat.started } : {}),
  };
}

export type Liveness = 'alive' | 'dead' | 'remote';

/** Whether a holder still runs: on this host by pid (not reused, not a zombie, same boot); elsewhere unknown. */
export function ownerLiveness(owner: LockOwner): Liveness {
  if (owner.hostname !== os.hostname()) return 'remote';
  const boot = currentBoot();
  if (owner.boot && boot && owner.boot !== boot) return 'dead';
  if (!isProcessAlive(owner.pid)) return 'dead';
  const stat = procStat(owner.pid);
  if (stat?.state === 'Z') return 'dead';
  if (owner.started && stat && stat.started !== owner.started) return 'dead';
  return 'alive';
}

export function sameOwner(a: LockOwner | undefined, b: LockOwner | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.token || b.token) return a.token === b.token;
  return a.pid === b.pid && a.hostname === b.hostname && a.since === b.since;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as LockOwner;
    return typeof owner?.pid === 'number' && typeof owner.hostname === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

export async function readOwnerFile(file: string): Promise<LockOwner | undefined> {
  return parseOwner(await fs.readFile(file, 'utf8').catch(() => ''));
}

export function readOwnerFileSync(file: string): LockOwner | undefined {
  try {
    return parseOwner(fsSync.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

async function writeOwnerFile(file: string, owner: LockOwner): Promise<void> {
  const handle = await fs.open(file, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(owner));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `<lock>.<pid>-<hex>.tmp`: a lock being made or being removed; its pid tells whether it is abandoned. */
function tempPathFor(lockPath: string): string {
  return `${lockPath}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
}

export function isHeldError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EEXIST' || code === 'ENOTEMPTY';
}

/**
 * Creates the lock dir with its owner record in one step: the record is written into a temp dir that is then
 * renamed to the lock's name. The rename fails (EEXIST/ENOTEMPTY) while another holder's lock exists.
 */
export async function createLockDir(lockPath: string, owner: LockOwner): Promise<void> {
  const temp = tempPathFor(lockPath);
  await fs.mkdir(temp, { mode: 0o700 });
  try {
    await writeOwnerFile(path.join(temp, OWNER_FILE), owner);
    await fs.rename(temp, lockPath);
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Removes the lock dir when it still belongs to `expected`: it is first renamed aside, so a holder that took the
 * lock in between is never deleted by mistake (it is put back). Returns false when the lock was not `expected`'s.
 */
export async function removeLockDir(lockPath: string, expected: LockOwner | undefined): Promise<boolean> {
  const aside = tempPathFor(lockPath);
  try {
    await fs.rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const found = await readOwnerFile(path.join(aside, OWNER_FILE));
  if (!sameOwner(found, expected)) {
    await fs.rename(aside, lockPath).catch(() => fs.rm(aside, { recursive: true, force: true }));
    return false;
  }
  await fs.rm(aside, { recursive: true, force: true });
  return true;
}

/** Removes temp dirs of `name` left by processes that died while taking or dropping the lock. */
export async function cleanLockTemps(dir: string, name: string): Promise<void> {
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)-[0-9a-f]+\\.tmp$`);
  for (const entry of await fs.readdir(dir).catch(() => [] as string[])) {
    const pid = Number(pattern.exec(entry)?.[1]);
    if (pid && pid !== process.pid && !isProcessAlive(pid))
      await fs.rm(path.join(dir, entry), { recursive: true, force: true }).catch(() => {});
  }
}
