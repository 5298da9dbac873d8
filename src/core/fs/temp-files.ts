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

/** Restore's staging dirs beside the target: `.openclaw-backup-restore-<pid>-<hex>` (see restore/recover.ts). */
export const RESTORE_STAGING_PREFIX = '.openclaw-backup-restore-';
