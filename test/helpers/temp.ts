import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

/** A fresh temp dir; every one is removed after its test file (test/helpers/setup.ts), pass or fail. */
export function makeTempDir(prefix = 'ocb-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes a tree even when a test left parts of it unreadable or unwritable (chmod 000, read-only dirs). */
export function removeTree(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    const open = (p: string) => {
      const st = fs.lstatSync(p, { throwIfNoEntry: false });
      if (!st?.isDirectory()) return;
      fs.chmodSync(p, 0o700);
      for (const name of fs.readdirSync(p)) open(path.join(p, name));
    };
    open(dir);
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Removes every dir made by makeTempDir in this test file. */
export function removeTempDirs(): void {
  while (made.length) removeTree(made.pop() as string);
}
