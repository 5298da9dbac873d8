import { createHash } from 'node:crypto';
import { closeSync, constants, ftruncateSync, openSync, writeSync } from 'node:fs';
import fs from 'node:fs/promises';
import { checkIntegrity, isSqliteHeader } from '../archive/sqlite-snapshot.js';
import { databaseContentDigest } from '../archive/sqlite-digest.js';
import { BackupError } from '../../errors.js';
import { assertScratchSpace, describeScratchError } from './scratch-space.js';

export interface HashedEntry {
  sha256: string;
  size: number;
  database: boolean;
  integrityProblem?: string;
  /** A database's content digest (schema and rows), when asked for: restore's dry run compares it with the live one. */
  contentDigest?: string;
}

export interface HashEntryOptions {
  /** Also write the bytes to this open file (restore's staging file). */
  writeFd?: number | undefined;
  /** Where to copy a database for PRAGMA integrity_check when it is not written anyway (verify). */
  scratchDb?: string | undefined;
  /** Stop as soon as more bytes arrive than this (the header's size). */
  maxBytes?: number | undefined;
  /** The size the tar header declares: the scratch copy's free space is checked against it before it is made. */
  expectedBytes?: number | undefined;
  /** Also digest a sound database's content from its scratch copy (databaseContentDigest). */
  digestDatabase?: boolean | undefined;
  /** The file had holes where it was backed up: all-zero blocks are skipped when writing, not written as zeros. */
  holes?: boolean | undefined;
}

const HOLE_BLOCK = 4096;

/** Writes a chunk at `position`, skipping every aligned all-zero block (the file is cut to its size at the end). */
function writeWithHoles(fd: number, data: Buffer, position: number): void {
  let offset = 0;
  while (offset < data.length) {
    const blockEnd = Math.min(data.length, offset + HOLE_BLOCK - ((position + offset) % HOLE_BLOCK));
    const block = data.subarray(offset, blockEnd);
    if (block.length !== HOLE_BLOCK || block.some((byte) => byte !== 0)) {
      for (let done = 0; done < block.length;) done += writeSync(fd, block, done, block.length - done, position + offset + done);
    }
    offset = blockEnd;
  }
}

export const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Writes all of `data` with synchronous calls: a chunk of a tar entry is at most a few hundred KiB. */
export function writeAllSync(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Hashes one file entry while streaming it, optionally writing it out. The writes are synchronous: each chunk is
 * already in memory, and a thread-pool round trip per chunk (and per small file) cost more than the write itself.
 * A SQLite database (recognised by its first bytes) is copied to `scratchDb` and must pass PRAGMA integrity_check.
 */
export async function hashEntry(stream: AsyncIterable<unknown>, options: HashEntryOptions = {}): Promise<HashedEntry> {
  const hash = createHash('sha256');
  let size = 0;
  let head: Buffer | undefined;
  let database = false;
  let decided = false;
  const out = options.writeFd;
  let scratch: number | undefined;
  try {
    for await (const item of stream) {
      const chunk = item as Buffer;
      hash.update(chunk);
      size += chunk.length;
      if (options.maxBytes !== undefined && size > options.maxBytes) throw new SizeExceededError(options.maxBytes);
      if (out !== undefined && options.holes) writeWithHoles(out, chunk, size - chunk.length);
      else if (out !== undefined) writeAllSync(out, chunk);
      if (decided) {
        if (scratch !== undefined) writeScratch(scratch, chunk, options, size);
        continue;
      }
      head = head ? Buffer.concat([head, chunk]) : chunk;
      if (head.length < 16) continue;
      decided = true;
      database = isSqliteHeader(head);
      if (database && options.scratchDb) {
        await assertScratchSpace(options.scratchDb, options.expectedBytes ?? 0);
        scratch = openSync(options.scratchDb, WRITE_FLAGS, 0o600);
        writeScratch(scratch, head, options, size);
      }
    }
    if (out !== undefined && options.holes) ftruncateSync(out, size);
  } finally {
    if (scratch !== undefined) closeSync(scratch);
  }
  const result: HashedEntry = { sha256: hash.digest('hex'), size, database };
  if (scratch !== undefined && options.scratchDb) {
    const problem = await integrityProblem(options.scratchDb);
    if (problem) result.integrityProblem = problem;
    else if (options.digestDatabase) result.contentDigest = databaseContentDigest(options.scratchDb, { immutable: true });
    await fs.rm(options.scratchDb, { force: true });
  }
  return result;
}

/** A full $TMPDIR is not a corrupt database: it is a failure (exit 1) naming the dir, not a verify problem. */
function writeScratch(fd: number, data: Uint8Array, options: HashEntryOptions, size: number): void {
  try {
    writeAllSync(fd, data);
  } catch (error) {
    throw describeScratchError(error, options.scratchDb as string, options.expectedBytes ?? size);
  }
}

/** PRAGMA integrity_check on a database file; the one-line reason when it fails. `immutable`: create nothing beside it. */
export async function integrityProblem(file: string, immutable = false): Promise<string | undefined> {
  try {
    await checkIntegrity(file, 'snapshot', { immutable });
    return undefined;
  } catch (error) {
    if (error instanceof BackupError && error.kind === 'failure') throw error;
    return (error as Error).message.replace(/^database snapshot /, 'database ');
  }
}

export class SizeExceededError extends Error {
  constructor(readonly limit: number) {
    super(`entry holds more than the ${limit} bytes expected`);
  }
}
