import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';

const { O_RDONLY, O_WRONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

/** Thrown when a path that must be a regular file (or directory) is a symlink, FIFO, socket or device. */
export class NotRegularError extends Error {
  readonly code = 'ENOTREG';
  constructor(
    readonly path: string,
    readonly found: string,
  ) {
    super(`${path} is a ${found}, not a regular file`);
    this.name = 'NotRegularError';
  }
}

export function describeKind(stat: Stats): string {
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFile()) return 'regular file';
  if (stat.isDirectory()) return 'directory';
  if (stat.isFIFO()) return 'FIFO';
  if (stat.isSocket()) return 'socket';
  return 'device node';
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/**
 * chmod that never follows a symlink (Linux has no lchmod): lstat first, refuse anything but a regular file or a
 * directory, then change the mode through a handle opened O_NOFOLLOW|O_NONBLOCK (so a FIFO swapped in cannot block).
 * A mode-000 file we may not open is changed by path after the lstat said it is no link.
 */
export async function chmodNoFollow(file: string, mode: number): Promise<void> {
  const before = await fs.lstat(file);
  if (!before.isFile() && !before.isDirectory()) throw new NotRegularError(file, describeKind(before));
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new NotRegularError(file, 'symlink');
    if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
    await fs.chmod(file, mode);
    return;
  }
  try {
    const opened = await handle.stat();
    if (!sameFile(before, opened)) throw new NotRegularError(file, 'file replaced while its mode was changed');
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

/** Reads a regular file without following a link or blocking on a FIFO; refuses anything else and files over `maxBytes`. */
export async function readRegularNoFollow(file: string, maxBytes: number): Promise<Buffer> {
  const before = await fs.lstat(file);
  if (!before.isFile()) throw new NotRegularError(file, describeKind(before));
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new NotRegularError(file, 'symlink');
    throw error;
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || !sameFile(before, opened)) throw new NotRegularError(file, describeKind(opened));
    if (opened.size > maxBytes) throw new Error(`${file} is larger than ${maxBytes} bytes`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Replaces the contents of an existing regular file in place, never through a link, never blocking on a FIFO. */
export async function rewriteRegularNoFollow(file: string, data: string): Promise<void> {
  const before = await fs.lstat(file);
  if (!before.isFile()) throw new NotRegularError(file, describeKind(before));
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, O_WRONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new NotRegularError(file, 'symlink');
    throw error;
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || !sameFile(before, opened)) throw new NotRegularError(file, describeKind(opened));
    await handle.truncate(0);
    await handle.write(data, 0, 'utf8');
  } finally {
    await handle.close();
  }
}
