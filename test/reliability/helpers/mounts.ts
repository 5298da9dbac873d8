import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Mounts a tmpfs of `sizeBytes` at dir (we run as root in CI). Throws with the reason when mounting is impossible. */
export function mountTmpfs(dir: string, sizeBytes: number, extra: string[] = []): void {
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', [`size=${sizeBytes}`, 'mode=0700', ...extra].join(','), 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`cannot mount a tmpfs at ${dir} (this scenario needs root and CAP_SYS_ADMIN): ${stderr ?? String(error)}`, {
      cause: error,
    });
  }
}

export function remount(dir: string, options: string): void {
  execFileSync('mount', ['-o', `remount,${options}`, dir], { stdio: 'pipe' });
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  }
}

/** Free bytes for an unprivileged writer on the filesystem holding dir. */
export function freeBytes(dir: string): number {
  const st = fs.statfsSync(dir);
  return Number(st.bavail) * Number(st.bsize);
}
