import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { checkIntegrity, isSqliteHeader } from '../archive/sqlite-snapshot.js';
import { BackupError } from '../../errors.js';
import { assertScratchSpace, describeScratchError } from './scratch-space.js';

export interface HashedEntry {
  sha256: string;
  size: number;
  database: boolean;
  integrityProblem?: string;
}

export interface HashEntryOptions {
  /** Also write the bytes here (restore's staging file); opened O_EXCL|O_NOFOLLOW. */
  writeTo?: string | undefined;
  /** Where to copy a database for PRAGMA integrity_check when it is not written anyway (verify). */
  scratchDb?: string | undefined;
  /** Stop as soon as more bytes arrive than this (the header's size, or the size the first pass saw). */
  maxBytes?: number | undefined;
  /** The size the tar header declares: the scratch copy's free space is checked against it before it is made. */
  expectedBytes?: number | undefined;
}

const WRITE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/**
 * Hashes one file entry while streaming it, optionally writing it out. A SQLite database (recognised by its first
 * bytes) must pass PRAGMA integrity_check.
 */
export async function hashEntry(stream: AsyncIterable<unknown>, options: HashEntryOptions = {}): Promise<HashedEntry> {
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  let database = false;
  let decided = false;
  const out = options.writeTo ? await fs.open(options.writeTo, WRITE_FLAGS, 0o600) : undefined;
  let scratch: fs.FileHandle | undefined;
  try {
    for await (const item of stream) {
      const chunk = item as Buffer;
      hash.update(chunk);
      size += chunk.length;
      if (options.maxBytes !== undefined && size > options.maxBytes) throw new SizeExceededError(options.maxBytes);
      if (!decided) {
        head = Buffer.concat([head, chunk]);
        if (head.length < 16) continue;
        decided = true;
        database = isSqliteHeader(head);
        if (database && options.scratchDb) {
          await assertScratchSpace(options.scratchDb, options.expectedBytes ?? 0);
          scratch = await fs.open(options.scratchDb, WRITE_FLAGS, 0o600);
        }
        await out?.write(head);
        await scratch?.write(head).catch((error: unknown) => Promise.reject(describeScratchError(error, options.scratchDb as string, options.expectedBytes ?? size)));
        continue;
      }
      await out?.write(chunk);
      await scratch?.write(chunk).catch((error: unknown) => Promise.reject(describeScratchError(error, options.scratchDb as string, options.expectedBytes ?? size)));
    }
    if (!decided && head.length) await out?.write(head);
  } finally {
    await out?.close();
    await scratch?.close();
  }
  const result: HashedEntry = { sha256: hash.digest('hex'), size, database };
  if (scratch && options.scratchDb) {
    try {
      await checkIntegrity(options.scratchDb, 'snapshot');
    } catch (error) {
      // A full $TMPDIR is not a corrupt database: that error is the caller's (exit 1), not a verify problem.
      if (error instanceof BackupError && error.kind === 'failure') throw error;
      result.integrityProblem = (error as Error).message.replace(/^database snapshot /, 'database ');
    } finally {
      await fs.rm(options.scratchDb, { force: true });
    }
  }
  return result;
}

export class SizeExceededError extends Error {
  constructor(readonly limit: number) {
    super(`entry holds more than the ${limit} bytes expected`);
  }
}
