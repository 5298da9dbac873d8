import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { chmodNoFollow } from './fs/no-follow.js';
import path from 'node:path';

/** Why the config cannot be trusted with postBackup, and the one command that fixes it. */
export interface UnsafeConfig {
  /** The real file or directory at fault (symlinks resolved). */
  path: string;
  reason: string;
  fix: string;
  /** A chmod this user may apply (doctor --fix), when the fault is a mode on something the user owns. */
  repair?: { path: string; mode: number; ino: number };
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');
const who = (mode: number) => (mode & 0o002 ? 'others' : 'its group');

function inspect(p: string, stat: Stats, uid: number, role: 'file' | 'dir', note: string): UnsafeConfig | undefined {
  if (stat.uid !== uid && stat.uid !== 0) {
    const reason =
      role === 'file'
        ? `${p}${note} is owned by uid ${stat.uid}, not by you (uid ${uid}) or root`
        : `${p} (a parent of the config) is owned by uid ${stat.uid}, not by you (uid ${uid}) or root: its owner can replace the config`;
    return {
      path: p,
      reason,
      fix: role === 'file' ? `sudo chown ${uid} ${p}` : `move the config out of ${p} (or: sudo chown ${uid} ${p})`,
    };
  }
  const sticky = role === 'dir' && (stat.mode & 0o1000) !== 0;
  if ((stat.mode & 0o022) === 0 || sticky) return undefined;
  const owned = stat.uid === uid;
  if (role === 'file') {
    const mode = stat.mode & 0o700;
    return {
      path: p,
      reason: `${p}${note} is writable by ${who(stat.mode)} (mode ${octal(stat.mode)})`,
      fix: `chmod 600 ${p}`,
      ...(owned ? { repair: { path: p, mode, ino: stat.ino } } : {}),
    };
  }
  const mode = stat.mode & 0o7777 & ~0o022;
  return {
    path: p,
    reason: `${p} (a parent of the config) is writable by ${who(stat.mode)} (mode ${octal(stat.mode)}): anyone there can replace the config`,
    fix: `chmod go-w ${p}`,
    ...(owned ? { repair: { path: p, mode, ino: stat.ino } } : {}),
  };
}

/** Every directory above `file`, nearest first, up to the root. */
function parentsOf(file: string): string[] {
  const out: string[] = [];
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    out.push(dir);
    if (dir === path.dirname(dir)) return out;
  }
}

/**
 * Why a config file that sets postBackup is unsafe to obey, or undefined when it is safe. As OpenSSH checks
 * authorized_keys: the real file (symlinks resolved) and every directory above it up to `/`, and above the path as
 * given too (whoever can write the dir holding a symlink can repoint it), must be owned by this user or root and not
 * writable by group or others (a sticky dir such as /tmp excepted). Anyone who could change the file could run
 * commands as this user.
 */
export async function findUnsafeConfigWriter(configPath: string, uid: number): Promise<UnsafeConfig | undefined> {
  const given = path.resolve(configPath);
  if (!(await fs.lstat(given).catch(() => undefined))) return undefined;
  const real = await fs.realpath(given).catch(() => undefined);
  const file = real ? await fs.stat(real).catch(() => undefined) : undefined;
  if (!real || !file) return undefined;
  const note = real === given ? '' : ` (${given} links to it)`;
  const problem = inspect(real, file, uid, 'file', note);
  if (problem) return problem;
  const dirs: string[] = [];
  for (const dir of [...parentsOf(given), ...parentsOf(real)]) {
    const resolved = await fs.realpath(dir).catch(() => dir);
    if (!dirs.includes(resolved)) dirs.push(resolved);
  }
  for (const dir of dirs) {
    const stat = await fs.stat(dir).catch(() => undefined);
    const found = stat && inspect(dir, stat, uid, 'dir', '');
    if (found) return found;
  }
  return undefined;
}

/**
 * Applies one repair from findUnsafeConfigWriter: only to the same real file or directory (no symlink, same inode)
 * that was checked, never through a link.
 */
export async function repairConfigMode(repair: NonNullable<UnsafeConfig['repair']>): Promise<boolean> {
  const stat = await fs.lstat(repair.path).catch(() => undefined);
  if (!stat || stat.isSymbolicLink() || stat.ino !== repair.ino) return false;
  // Never through a link: the path is opened without following one and the open file is changed.
  await chmodNoFollow(repair.path, repair.mode);
  return true;
}
