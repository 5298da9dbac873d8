import { createHash } from 'node:crypto';
import fsSync, { type BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import { BackupError, describeFsError } from '../../errors.js';
import { identityOf, sameIdentity, type FileIdentity } from './hash-cache.js';

const SMALL = 8 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const ATTEMPTS = 4;
const HEAD = 16;

export interface HashedFile {
  sha256: string;
  size: number;
  /** The file as it was while read (fstat before and after agreed when `stable`). */
  identity: FileIdentity;
  stable: boolean;
  /** Its first bytes: whether it is a SQLite database the name did not announce. */
  head: Buffer;
}

const { O_RDONLY, O_NOFOLLOW } = fsSync.constants;

/** One buffer every small file is read through: no allocation per file, so memory stays flat over 200k files. */
const scratch = Buffer.allocUnsafe(CHUNK);

async function hashOnceFrom(file: string): Promise<HashedFile> {
  const fd = fsSync.openSync(file, O_RDONLY | O_NOFOLLOW);
  try {
    const before = fsSync.fstatSync(fd, { bigint: true });
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    let after: BigIntStats;
    if (before.size <= SMALL) {
      // A small file with synchronous calls: a thread-pool round trip per call costs more than the read.
      for (;;) {
        const n = fsSync.readSync(fd, scratch, 0, CHUNK, size);
        if (n === 0) break;
        if (size === 0) head = Buffer.from(scratch.subarray(0, Math.min(HEAD, n)));
        hash.update(scratch.subarray(0, n));
        size += n;
      }
      after = fsSync.fstatSync(fd, { bigint: true });
    } else {
      const handle = await fs.open(file, O_RDONLY | O_NOFOLLOW);
      try {
        const buf = Buffer.allocUnsafe(CHUNK);
        for (;;) {
          const { bytesRead } = await handle.read(buf, 0, CHUNK, size);
          if (bytesRead === 0) break;
          if (size === 0) head = Buffer.from(buf.subarray(0, Math.min(HEAD, bytesRead)));
          hash.update(buf.subarray(0, bytesRead));
          size += bytesRead;
        }
        after = await handle.stat({ bigint: true });
      } finally {
        await handle.close();
      }
    }
    const identity = identityOf(after);
    const stable = BigInt(size) === before.size && sameIdentity(identityOf(before), identity);
    return { sha256: hash.digest('hex'), size, identity, stable, head };
  } finally {
    fsSync.closeSync(fd);
  }
}

/**
 * Hashes a file without keeping its bytes: size, mtime, ctime and inode must not move while it is read (fstat before
 * and after). One that keeps changing is read a few times; the last read comes back with stable=false.
 */
export async function hashStableFile(file: string): Promise<HashedFile> {
  let last: HashedFile | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    try {
      last = await hashOnceFrom(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') throw error;
      throw new BackupError('failure', `cannot read ${file}: ${describeFsError(error)}`, { cause: error });
    }
    if (last.stable) return last;
    await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
  }
  return last as HashedFile;
}

/** SHA-256 of a file of ours (a database snapshot), streamed. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}
