import fs from 'node:fs/promises';
import path from 'node:path';
import { BackupError } from '../../errors.js';
import { formatBytes } from '../format.js';

/** The directory the user chose with $TMPDIR: the parent of our private scratch dir. */
function tmpDirOf(scratchFile: string): string {
  return path.dirname(path.dirname(scratchFile));
}

/** Refuses, before a byte is copied, to put a database bigger than the free space into $TMPDIR. */
export async function assertScratchSpace(scratchFile: string, bytes: number): Promise<void> {
  const stat = await fs.statfs(path.dirname(scratchFile)).catch(() => undefined);
  if (!stat) return;
  const free = stat.bavail * stat.bsize;
  if (bytes > free) throw scratchFull(scratchFile, bytes, free);
}

function scratchFull(scratchFile: string, bytes: number, free: number | undefined): BackupError {
  const room = free === undefined ? 'it ran out of space' : `${formatBytes(free)} free`;
  return new BackupError(
    'failure',
    `not enough space in ${tmpDirOf(scratchFile)} to check a database of ${formatBytes(bytes)} (${room}); set TMPDIR to a directory with more room`,
  );
}

/** ENOSPC while the copy is written names the directory too. */
export function describeScratchError(error: unknown, scratchFile: string, bytes: number): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? scratchFull(scratchFile, bytes, undefined) : error;
}
