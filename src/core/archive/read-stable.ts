import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { BackupError, describeFsError } from '../errors.js';

/** Files up to this size are read into memory; larger ones are copied to a staging file first. */
export const IN_MEMORY_LIMIT = 8 * 1024 * 1024;
const MAX_ATTEMPTS = 4;
const CHUNK = 1024 * 1024;

export type StableRead =
  | { kind: 'buffer'; data: Buffer; stat: Stats; sha256: string; stable: boolean }
  | { kind: 'staged'; file: string; size: number; stat: Stats; sha256: string; stable: boolean };

function unchanged(a: Stats, b: Stats): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.ctimeMs === b.ctimeMs;
}

function readError(file: string, error: unknown): BackupError {
  return new BackupError('failure', `cannot read ${file}: ${describeFsError(error)}`, { cause: error });
}

async function readOnce(file: string, stagingFile: string): Promise<StableRead> {
  const handle = await fs.open(file, 'r');
  try {
    const before = await handle.stat();
    const hash = createHash('sha256');
    if (before.size <= IN_MEMORY_LIMIT) {
      const data = Buffer.allocUnsafe(before.size);
      let offset = 0;
      while (offset < before.size) {
        const { bytesRead } = await handle.read(data, offset, before.size - offset, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
      }
      const after = await handle.stat();
      const body = offset === before.size ? data : data.subarray(0, offset);
      hash.update(body);
      return { kind: 'buffer', data: body, stat: after, sha256: hash.digest('hex'), stable: offset === before.size && unchanged(before, after) };
    }
    const out = await fs.open(stagingFile, 'w', 0o600);
    let offset = 0;
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      while (offset < before.size) {
        const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, before.size - offset), offset);
        if (bytesRead === 0) break;
        const slice = buf.subarray(0, bytesRead);
        hash.update(slice);
        await out.write(slice);
        offset += bytesRead;
      }
    } finally {
      await out.close();
    }
    const after = await handle.stat();
    return { kind: 'staged', file: stagingFile, size: offset, stat: after, sha256: hash.digest('hex'), stable: offset === before.size && unchanged(before, after) };
  } finally {
    await handle.close();
  }
}

/**
 * Reads a file so that what is archived is one consistent version: size, mtime, ctime and inode must not move
 * while it is read. A file that keeps changing is re-read a few times; the last read is returned with
 * stable=false so the caller reports it instead of storing it silently torn.
 */
export async function readStableFile(file: string, stagingFile: string): Promise<StableRead> {
  let last: StableRead | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    try {
      last = await readOnce(file, stagingFile);
    } catch (error) {
      throw readError(file, error);
    }
    if (last.stable) return last;
    await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
  }
  return last as StableRead;
}
