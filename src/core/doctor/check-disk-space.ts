import fs from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../format.js';
import { readStatus } from '../status-record.js';
import { listProfileArchives } from './newest-archive.js';
import { ok, type DoctorCheck } from './types.js';

const ID = 'disk-space';

/** statfs of the backups dir, or of its nearest existing parent when it does not exist yet. */
async function freeBytes(dir: string): Promise<{ free: number; at: string }> {
  let at = dir;
  for (;;) {
    try {
      const stat = await fs.statfs(at);
      return { free: stat.bavail * stat.bsize, at };
    } catch (error) {
      const parent = path.dirname(at);
      if (parent === at) throw error;
      at = parent;
    }
  }
}

/** The next archive needs about as much room as the last one: warn below 2x, error below 1x. */
export const checkDiskSpace: DoctorCheck = async (context) => {
  const { record } = await readStatus(context.paths.stateDir);
  const newest = (await listProfileArchives(context.backupDir, context.paths.profile)).at(-1);
  const lastSize = record.lastSuccess?.bytes ?? newest?.size;
  const { free, at } = await freeBytes(context.backupDir);
  if (lastSize === undefined || lastSize === null) return [ok(ID, `${formatBytes(free)} free at ${at} (no archive yet to compare with)`)];
  const message = `${formatBytes(free)} free at ${at}; the last archive was ${formatBytes(lastSize)}`;
  if (free < lastSize)
    return [
      {
        id: ID,
        level: 'error',
        message: `${message}: the next backup will not fit`,
        fix: `free space, or move ${context.config?.keyPrefix ?? 'backup'}.path to a bigger disk`,
      },
    ];
  if (free < lastSize * 2)
    return [
      {
        id: ID,
        level: 'warn',
        message: `${message}: less than twice that is left`,
        fix: 'free space, lower retention, or move backup.path to a bigger disk',
      },
    ];
  return [ok(ID, message)];
};
