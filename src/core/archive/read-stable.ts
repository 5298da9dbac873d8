import { createHash, hash as hashOnce } from 'node:crypto';
import fsSync, { type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { BackupError, describeFsError } from '../../errors.js';
import { currentTimings, type Timings } from './timings.js';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fsSync.constants;
/**
 * Never through a symlink, and never blocking on a FIFO: the walk may know a file from its directory listing only,
 * and the path can have been replaced by anything since.
 */
const OPEN_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;

/** The path no longer names a regular file: it was replaced (by a link, a directory, a FIFO) since it was listed. */
export class NotRegularFileError extends Error {}

/** A read failed because the file is gone or was replaced by something else: the caller skips it as vanished. */
export function isReplaced(error: unknown): boolean {
  return error instanceof NotRegularFileError || (error as NodeJS.ErrnoException | undefined)?.code === 'ELOOP';
}

/** Files up to this size are read into memory; larger ones are copied to a staging file first. */
export const IN_MEMORY_LIMIT = 4 * 1024 * 1024;
const MAX_ATTEMPTS = 4;
const CHUNK = 1024 * 1024;

export type StableRead =
  | { kind: 'buffer'; data: Buffer; stat: Stats; sha256: string; stable: boolean }
  | { kind: 'staged'; file: string; size: number; stat: Stats; sha256: string; stable: boolean };

/** Size, mtime, ctime and inode did not move between two fstat calls around a read. */
export function unchangedWhileRead(a: Stats, b: Stats): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.ctimeMs === b.ctimeMs;
}

function readError(file: string, error: unknown): BackupError {
  return new BackupError('failure', `cannot read ${file}: ${describeFsError(error)}`, { cause: error });
}

/**
 * A file that fits in memory is read with synchronous calls (open, fstat, read, fstat, close): for the many small
 * files of a workspace, five thread-pool round trips per file would cost more than the reads themselves.
 */
function readInto(fd: number, data: Buffer): number {
  let offset = 0;
  while (offset < data.length) {
    const bytesRead = fsSync.readSync(fd, data, offset, data.length - offset, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return offset;
}

/**
 * File timestamps advance by the kernel's coarse clock tick: a file rewritten in place twice within one tick keeps
 * its size, mtime and ctime, so a read torn by the second rewrite looks unchanged. A file changed this shortly
 * before the read began (or during it) is read a second time and must read the same. "Before the read began", not
 * "before now": on a loaded machine the process can be descheduled between the read and the clock, and a change
 * made during the read must not age out of the window meanwhile.
 */
const RECENT_MS = 200;

function readSmall(
  fd: number,
  before: Stats,
  startedAt: number,
  scratch: ReadScratch | undefined,
  timings: Timings | undefined,
): StableRead {
  const started = performance.now();
  const data = scratch ? scratch.take(before.size) : Buffer.allocUnsafe(before.size);
  const offset = readInto(fd, data);
  const after = fsSync.fstatSync(fd);
  const body = offset === before.size ? data : data.subarray(0, offset);
  let stable = offset === before.size && unchangedWhileRead(before, after);
  if (stable && after.ctimeMs >= startedAt - RECENT_MS) {
    const again = Buffer.allocUnsafe(before.size);
    stable = readInto(fd, again) === offset && again.equals(body) && unchangedWhileRead(after, fsSync.fstatSync(fd));
  }
  const hashing = performance.now();
  timings?.add('read', hashing - started);
  const sha256 = hashOnce('sha256', body, 'hex');
  timings?.add('hash', performance.now() - hashing);
  return { kind: 'buffer', data: body, stat: after, sha256, stable };
}

/** Growth step of the scratch buffer: it grows to the largest file read so far, rounded up to this. */
const SCRATCH_STEP = 256 * 1024;

/**
 * One growing buffer that small files are read into, instead of a new allocation per file (for tens of thousands
 * of files the garbage collector would otherwise dominate), and one 1 MiB buffer for copying large files to staging.
 * A read's `data` is valid until the next read. The buffer grows to the largest file (≤ IN_MEMORY_LIMIT) in steps,
 * not by doubling: doubling could hold twice the largest file for the whole run.
 */
export class ReadScratch {
  private buffer = Buffer.allocUnsafeSlow(64 * 1024);
  private copyBuffer: Buffer | undefined;
  /** The run's timings, where reads and hashing through this scratch are added up. */
  readonly timings = currentTimings();

  take(size: number): Buffer {
    if (size > this.buffer.length) this.buffer = Buffer.allocUnsafeSlow(Math.ceil(size / SCRATCH_STEP) * SCRATCH_STEP);
    return this.buffer.subarray(0, size);
  }

  /** The buffer large files are copied through, 1 MiB. */
  chunk(): Buffer {
    return (this.copyBuffer ??= Buffer.allocUnsafeSlow(CHUNK));
  }
}

/** Bytes of the current file read so far (a large file reports as it streams: progress moves within it). */
export type OnFileBytes = (bytes: number) => void;

export interface ReadStableOptions {
  /** Where an in-memory read's data lives (overwritten by the next read) and large files are copied through. */
  scratch?: ReadScratch | undefined;
  /** Where reads and hashing are added up. */
  timings?: Timings | undefined;
  onBytes?: OnFileBytes | undefined;
}

async function readOnce(file: string, stagingFile: string, options: ReadStableOptions): Promise<StableRead> {
  const { scratch, timings, onBytes } = options;
  const startedAt = Date.now();
  const opened = performance.now();
  const fd = fsSync.openSync(file, OPEN_FLAGS);
  let before: Stats;
  try {
    before = fsSync.fstatSync(fd);
    timings?.add('read', performance.now() - opened);
    if (!before.isFile()) throw new NotRegularFileError(`${file} is no longer a regular file`);
    if (before.size <= IN_MEMORY_LIMIT) return readSmall(fd, before, startedAt, scratch, timings);
  } finally {
    fsSync.closeSync(fd);
  }
  const handle = await fs.open(file, OPEN_FLAGS);
  try {
    const hash = createHash('sha256');
    const out = await fs.open(stagingFile, 'w', 0o600);
    let offset = 0;
    try {
      const buf = scratch ? scratch.chunk() : Buffer.allocUnsafe(CHUNK);
      while (offset < before.size) {
        const reading = performance.now();
        const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, before.size - offset), offset);
        timings?.add('read', performance.now() - reading);
        if (bytesRead === 0) break;
        const slice = buf.subarray(0, bytesRead);
        const hashing = performance.now();
        hash.update(slice);
        const writing = performance.now();
        timings?.add('hash', writing - hashing);
        await out.write(slice);
        timings?.add('read', performance.now() - writing);
        offset += bytesRead;
        onBytes?.(offset);
      }
    } finally {
      await out.close();
    }
    const after = await handle.stat();
    return {
      kind: 'staged',
      file: stagingFile,
      size: offset,
      stat: after,
      sha256: hash.digest('hex'),
      stable: offset === before.size && unchangedWhileRead(before, after),
    };
  } finally {
    await handle.close();
  }
}

/**
 * Reads a file so that what is archived is one consistent version: size, mtime, ctime and inode must not move
 * while it is read. A file that keeps changing is re-read a few times; the last read is returned with
 * stable=false so the caller reports it instead of storing it silently torn. With `scratch`, an in-memory read's
 * data lives in the scratch buffer and is overwritten by the next read.
 */
export async function readStableFile(file: string, stagingFile: string, options: ReadStableOptions = {}): Promise<StableRead> {
  let last: StableRead | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    try {
      last = await readOnce(file, stagingFile, options);
    } catch (error) {
      throw readError(file, error);
    }
    if (last.stable) return last;
    await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
  }
  return last as StableRead;
}
