import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../fs/atomic.js';

/** Every change the swap made, in order, so a failure can put everything back. */
export class SwapJournal {
  private readonly undo: Array<() => Promise<void>> = [];

  /** Renames `from` to `to` (copying across file systems), creating `to`'s missing parents; remembers how to undo. */
  async move(from: string, to: string): Promise<void> {
    await this.makeParents(path.dirname(to));
    try {
      await fs.rename(from, to);
      this.undo.push(() => fs.rename(to, from));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      this.undo.push(() => fs.rm(to, { recursive: true, force: true }));
      await fs.cp(from, to, { recursive: true, verbatimSymlinks: true, errorOnExist: true, force: false, preserveTimestamps: true });
    }
    await fsyncDir(path.dirname(to)).catch(() => {});
  }

  private async makeParents(dir: string): Promise<void> {
    const exists = await fs.lstat(dir).then(() => true, () => false);
    if (exists) return;
    await this.makeParents(path.dirname(dir));
    await fs.mkdir(dir, { mode: 0o700 });
    this.undo.push(() => fs.rmdir(dir));
  }

  async rollback(): Promise<string[]> {
    const failures: string[] = [];
    for (const step of this.undo.reverse()) {
      try {
        await step();
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    return failures;
  }
}

export async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(() => true, () => false);
}

export function rollbackPathFor(destination: string, stamp: string): string {
  return `${destination}.rollback-${stamp}`;
}

/**
 * Puts a whole staged tree in place of `destination`: names in `carry` (our lock, the backups dir) move from the live
 * tree into the staged one, the live tree is renamed to its rollback path, the staged tree renamed into place.
 * Returns the rollback path, or undefined when there was nothing to keep.
 */
export async function swapTree(journal: SwapJournal, staged: string, destination: string, rollback: string, carry: string[]): Promise<string | undefined> {
  if (!(await exists(destination))) {
    await journal.move(staged, destination);
    return undefined;
  }
  for (const name of carry) {
    if (await exists(path.join(destination, name))) await journal.move(path.join(destination, name), path.join(staged, name));
  }
  await journal.move(destination, rollback);
  await journal.move(staged, destination);
  return rollback;
}

/** Replaces one file (or link) in a live tree, moving what was there into the rollback tree. */
export async function swapFile(journal: SwapJournal, staged: string, destination: string, rollback: string): Promise<boolean> {
  const replaced = await exists(destination);
  if (replaced) await journal.move(destination, rollback);
  await journal.move(staged, destination);
  return replaced;
}

/** Removes a rollback dir that ended up holding nothing of the old state. */
export async function dropIfEmpty(dir: string | undefined): Promise<string | undefined> {
  if (!dir) return undefined;
  const names = await fs.readdir(dir).catch(() => undefined);
  if (names && names.length === 0) {
    await fs.rmdir(dir);
    return undefined;
  }
  return dir;
}
