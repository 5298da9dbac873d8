import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { BackupError } from '../../errors.js';
import { moveLinksInTheWay } from './links-in-the-way.js';
import { rootOf } from './roots.js';
import type { StageResult } from './stage.js';
import { dropIfEmpty, exists, rollbackPathFor, swapFile, swapTree, SwapJournal } from './swap.js';

export interface ApplyResult {
  rollback: string[];
  replaced: number;
  added: number;
  /** Live symlinks (or files) that stood where a restored directory goes: moved to the rollback copy. */
  movedLinks?: string[];
}

/** A rollback path that does not exist yet: <dest>.rollback-<stamp>[-N]. */
async function freeRollbackPath(destination: string, stamp: string): Promise<string> {
  let candidate = rollbackPathFor(destination, stamp);
  for (let n = 2; await exists(candidate); n += 1) candidate = `${rollbackPathFor(destination, stamp)}-${n}`;
  return candidate;
}

async function undoOrExplain(journal: SwapJournal, error: unknown): Promise<never> {
  const failures = await journal.rollback();
  const cause = error instanceof Error ? error.message : String(error);
  if (failures.length) {
    throw new BackupError('failure', `restore failed (${cause}) and could not be fully undone: ${failures.join('; ')}`, { cause: error });
  }
  throw error instanceof BackupError ? error : new BackupError('failure', `restore failed, nothing was changed: ${cause}`, { cause: error });
}

/** Whole restore: each staged root replaces its destination; the old trees become rollback copies. */
export async function applyFull(staged: StageResult, staging: string, stamp: string, carry: string[]): Promise<ApplyResult> {
  const journal = new SwapJournal();
  const rollback: string[] = [];
  try {
    for (const root of staged.plan.roots) {
      const from = path.join(staging, root.archiveRel);
      if (!(await exists(from))) continue;
      const kept = await swapTree(journal, from, root.destination, await freeRollbackPath(root.destination, stamp), root.role === 'state' ? carry : []);
      if (kept) rollback.push(kept);
    }
  } catch (error) {
    return undoOrExplain(journal, error);
  }
  const kept: string[] = [];
  for (const dir of rollback) {
    const left = await dropIfEmpty(dir);
    if (left) kept.push(left);
  }
  return { rollback: kept, replaced: 0, added: 0 };
}

/** --only: each staged file replaces its live counterpart; replaced files go to one rollback tree. */
export async function applySelected(staged: StageResult, staging: string, stamp: string, target: string): Promise<ApplyResult> {
  const journal = new SwapJournal();
  const rollbackDir = await freeRollbackPath(target, stamp);
  let replaced = 0;
  let added = 0;
  const movedLinks: string[] = [];
  try {
    for (const entry of staged.plan.selected) {
      if (entry.kind === 'directory' || !staged.written.has(entry.rel)) continue;
      const found = rootOf(staged.plan.roots, entry.rel);
      if (!found) continue;
      const { root, inner } = found;
      const destination = inner ? path.join(root.destination, inner) : root.destination;
      const base = root.role !== 'state' && isInside(target, root.destination) ? target : root.destination;
      const rollbackFor = (abs: string) => (isInside(root.destination, abs) ? path.join(rollbackDir, root.id, path.relative(root.destination, abs)) : path.join(rollbackDir, 'state', path.relative(target, abs)));
      const moved = await moveLinksInTheWay(journal, base, destination, rollbackFor);
      if (moved) movedLinks.push(moved);
      const wasThere = await swapFile(journal, path.join(staging, entry.rel), destination, path.join(rollbackDir, root.id, inner));
      if (wasThere) replaced += 1;
      else added += 1;
    }
  } catch (error) {
    return undoOrExplain(journal, error);
  }
  return { rollback: replaced || movedLinks.length ? [rollbackDir] : [], replaced, added, movedLinks };
}
