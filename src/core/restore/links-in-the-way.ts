import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import type { SwapJournal } from './swap.js';

/**
 * Restore never writes through a live symlink: before a file goes to `destination`, the first thing between `base`
 * and its parent that is not a real directory (a link the user or an earlier restore left, or a file) moves to
 * `rollbackFor(it)`, so the parents are created afresh as directories. Returns what moved ("path -> target").
 */
export async function moveLinksInTheWay(
  journal: SwapJournal,
  base: string,
  destination: string,
  rollbackFor: (abs: string) => string,
): Promise<string | undefined> {
  const parent = path.dirname(destination);
  if (!isInside(base, parent) || parent === base) return undefined;
  let current = base;
  for (const part of path.relative(base, parent).split(path.sep)) {
    current = path.join(current, part);
    const stat = await fs.lstat(current).catch(() => undefined);
    if (!stat) return undefined;
    if (stat.isDirectory()) continue;
    const what = stat.isSymbolicLink() ? `${current} -> ${await fs.readlink(current)}` : current;
    await journal.move(current, rollbackFor(current));
    return what;
  }
  return undefined;
}
