import fs from 'node:fs/promises';

/** Whether anything is at `file` (a dangling symlink counts: nothing is followed). */
export async function pathExists(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    () => true,
    () => false,
  );
}

/** Whether `file` is a directory, or a symlink to one. */
export async function isDirectory(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (stat) => stat.isDirectory(),
    () => false,
  );
}

/** Whether `file` is a directory itself (a symlink to one is not). */
export async function isRealDirectory(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    (stat) => stat.isDirectory(),
    () => false,
  );
}

/** Whether `file` exists and, when it is a symlink, what it points to exists too. */
export async function existsFollowingLinks(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}
