import fs from 'node:fs/promises';

export interface HeldLock {
  pid: number;
  inode: number;
}

/**
 * POSIX (fcntl) and OFD locks currently held on this machine, from Linux's /proc/locks. Reading it never
 * takes or waits for a lock. Returns undefined where /proc/locks does not exist (macOS).
 */
export async function readHeldLocks(): Promise<HeldLock[] | undefined> {
  let text: string;
  try {
    text = await fs.readFile('/proc/locks', 'utf8');
  } catch {
    return undefined;
  }
  const locks: HeldLock[] = [];
  for (const line of text.split('\n')) {
    // "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; blocked waiters are prefixed "->".
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6 || fields[1] === '->') continue;
    const pid = Number(fields[4]);
    const inode = Number((fields[5] ?? '').split(':')[2]);
    if (Number.isFinite(pid) && Number.isFinite(inode)) locks.push({ pid, inode });
  }
  return locks;
}
