import fs from 'node:fs/promises';
import path from 'node:path';
import type { KeepMark } from './carry.js';
import { isRealDirectory, pathExists } from '../fs/exists.js';
import type { SwapJournal } from './swap.js';

async function namesIn(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch(() => [] as string[]);
}

/**
 * Swaps a staged tree into a live one without moving what is kept: every live entry that is not kept moves to the
 * rollback tree, every staged entry moves into its place, and "mixed" directories stay where they are while the
 * same happens inside them. The live root itself is never renamed. A staged entry whose place is taken by a kept
 * live entry is not restored; its path is added to `conflicts`. `pinned` is asked again for names that appear
 * while the swap runs (a lock being taken by a waiting backup); an entry that vanished meanwhile is left out.
 */
export async function swapAround(
  journal: SwapJournal,
  staged: string,
  live: string,
  rollback: string,
  marks: Map<string, KeepMark>,
  conflicts: string[],
  pinned: (rel: string) => boolean = () => false,
  rel = '',
): Promise<void> {
  const at = (base: string, name?: string) => path.join(base, rel, name ?? '');
  for (const name of await namesIn(at(live))) {
    const child = rel ? `${rel}/${name}` : name;
    const mark = marks.get(child);
    if (mark === 'keep' || pinned(child)) continue;
    if (mark === 'mixed') await swapAround(journal, staged, live, rollback, marks, conflicts, pinned, child);
    else if (await pathExists(at(live, name))) await journal.move(at(live, name), at(rollback, name));
  }
  for (const name of await namesIn(at(staged))) {
    const child = rel ? `${rel}/${name}` : name;
    if (marks.get(child) === 'mixed' && (await isRealDirectory(at(staged, name)))) continue;
    if (await pathExists(at(live, name))) {
      conflicts.push(child);
      continue;
    }
    await journal.place(at(staged, name), at(live, name));
  }
  const stagedStat = await fs.lstat(at(staged)).catch(() => undefined);
  if (stagedStat?.isDirectory()) await journal.chmod(at(live), stagedStat.mode & 0o7777);
}
