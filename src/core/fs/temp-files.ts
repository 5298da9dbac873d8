import fs from 'node:fs/promises';
import path from 'node:path';
import { isProcessAlive } from './atomic.js';

/** Names of our temporary things in a backups dir; each embeds the writer's pid. */
export const PARTIAL_SUFFIX = '.partial';
export const STAGING_PREFIX = '.openclaw-backup-staging-';

export function partialPathFor(finalPath: string, suffix: string): string {
  return `${finalPath}.${suffix}${PARTIAL_SUFFIX}`;
}

function ownerPid(name: string): number | undefined {
  const match = /\.(\d+)-[0-9a-f]+\.partial$/.exec(name) ?? /^\.openclaw-backup-staging-(\d+)-/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * Removes partial archives and staging dirs left by dead processes (a crash or kill -9).
 * Ones whose owner is still running are left alone. Returns what was removed.
 */
export async function cleanStaleTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.endsWith(PARTIAL_SUFFIX) && !name.startsWith(STAGING_PREFIX)) continue;
    const pid = ownerPid(name);
    if (pid !== undefined && pid !== process.pid && isProcessAlive(pid)) continue;
    if (pid === process.pid) continue;
    await fs.rm(path.join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

export const RESTORE_STAGING_PREFIX = '.openclaw-backup-restore-';

async function findCarriedBackups(dir: string, depth = 3): Promise<string | undefined> {
  const names = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of names) {
    if (!entry.isDirectory()) continue;
    if (entry.name === 'backups') return path.join(dir, entry.name);
    const found = depth > 1 ? await findCarriedBackups(path.join(dir, entry.name), depth - 1) : undefined;
    if (found) return found;
  }
  return undefined;
}

/**
 * Removes restore staging dirs left beside `target` by a killed restore. A kill between carrying the live backups
 * dir into the staged tree and the swap leaves it inside staging: it is moved back to `<target>/backups` when that
 * is free; otherwise the staging dir is kept and returned, never deleted.
 */
export async function cleanStaleRestoreStaging(target: string): Promise<{ removed: string[]; kept: string[]; recovered: string[] }> {
  const parentDir = path.dirname(target);
  const removed: string[] = [];
  const kept: string[] = [];
  const recovered: string[] = [];
  for (const name of await fs.readdir(parentDir).catch(() => [] as string[])) {
    const pid = Number(new RegExp(`^${RESTORE_STAGING_PREFIX.replace(/\./g, '\\.')}(\\d+)-`).exec(name)?.[1]);
    if (!pid || pid === process.pid || isProcessAlive(pid)) continue;
    const dir = path.join(parentDir, name);
    const carried = await findCarriedBackups(dir);
    if (carried) {
      const home = path.join(target, 'backups');
      const free = await fs.lstat(target).then(() => fs.lstat(home).then(() => false, () => true), () => false);
      if (!free) {
        kept.push(dir);
        continue;
      }
      await fs.rename(carried, home);
      recovered.push(home);
    }
    await fs.rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return { removed, kept, recovered };
}
