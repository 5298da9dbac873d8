import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathExists } from './exists.js';

/** fsync a directory so a rename or unlink inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function tempSuffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Moves a fully written, fsynced temp file to its final name without ever replacing an existing file
 * (link fails with EEXIST), then fsyncs the directory. Falls back to rename where hard links are unsupported.
 */
export async function publishNoOverwrite(tempPath: string, finalPath: string): Promise<void> {
  try {
    await fs.link(tempPath, finalPath);
    await fs.unlink(tempPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw error;
    const exists = await pathExists(finalPath);
    if (exists) throw Object.assign(new Error(`${finalPath} already exists`), { code: 'EEXIST' });
    await fs.rename(tempPath, finalPath);
  }
  await fsyncDir(path.dirname(finalPath));
}

/** Writes a small file atomically: temp (0600 from creation) → fsync → rename → fsync dir. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const temp = `${file}.${tempSuffix()}.tmp`;
  const handle = await fs.open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(path.dirname(file));
}

/** Creates a directory (and parents) with mode 0700; tightens an existing one we created loosely. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
