import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { BackupError } from '../../errors.js';
import { carryRulesFor, planCarry, type CarryContext, type CarryPlan } from './carry.js';
import { moveLinksInTheWay } from './links-in-the-way.js';
import type { PlacedRoot } from './destinations.js';
import { rootOf } from './roots.js';
import type { RestorePlan } from './plan.js';
import { swapAround } from './swap-around.js';
import { isDirectory, isRealDirectory, pathExists } from '../fs/exists.js';
import { dropIfEmpty, rollbackPathFor, swapFile, type SwapJournal } from './swap.js';

export interface ApplyResult {
  rollback: string[];
  replaced: number;
  added: number;
  /** Live symlinks (or files) that stood where a restored directory goes: moved to the rollback copy. */
  movedLinks?: string[];
  /** Live paths kept in place (absolute): what the archive's selection left out, our files, the backups dir. */
  carried: string[];
  /** Archive paths not restored because a kept live path holds their place. */
  conflicts: string[];
}

/** One root of a full restore: where it goes and what of the live tree there stays. */
export interface RootSwap {
  root: PlacedRoot;
  /** The staged tree (below the staging dir). */
  staged: string;
  /** The destination; its real path when it is a symlink to a directory (the link is kept). */
  live: string;
  /** Root-relative paths the archive restores. */
  archived: Set<string>;
  carry: CarryPlan;
}

/**
 * Paths of a root the archive restores: its entries and every directory above one. Built while every entry is still
 * in memory, so each entry adds its own path (a slice of its rel) and only the directories not seen yet: joining
 * every ancestor anew for every entry made ~60,000 new strings on the 2 GB bench state (~5 MB at restore's peak).
 */
function archivedRels(plan: RestorePlan, root: PlacedRoot): Set<string> {
  const rels = new Set<string>();
  for (const entry of plan.selected) {
    const found = rootOf(plan.roots, entry.rel);
    if (found?.root.id !== root.id || !found.inner) continue;
    // A path already in the set has its ancestors in it too.
    for (let rel = found.inner; !rels.has(rel);) {
      rels.add(rel);
      const slash = rel.lastIndexOf('/');
      if (slash < 0) break;
      rel = rel.slice(0, slash);
    }
  }
  return rels;
}

async function liveDirOf(destination: string): Promise<string> {
  const stat = await fs.lstat(destination).catch(() => undefined);
  if (stat?.isSymbolicLink() && (await isDirectory(destination))) return fs.realpath(destination);
  return destination;
}

/** What a full restore will do per root; computed before anything moves (the dry run and the warnings use it too). */
export async function planFullSwap(plan: RestorePlan, staging: string, context: CarryContext): Promise<RootSwap[]> {
  const swaps: RootSwap[] = [];
  for (const root of plan.roots) {
    const rels = archivedRels(plan, root);
    const hasEntries = rels.size > 0 || plan.selected.some((e) => e.rel === root.archiveRel);
    if (!hasEntries && root.role !== 'state') continue;
    const live = await liveDirOf(root.destination);
    const isDir = await isRealDirectory(live);
    const carry = isDir
      ? await planCarry(
          live,
          carryRulesFor(root, live, context, (rel) => rels.has(rel)),
        )
      : { marks: new Map(), carried: [] };
    swaps.push({ root, staged: path.join(staging, root.archiveRel), live, archived: rels, carry });
  }
  return swaps;
}

/** A rollback path that does not exist yet: <dest>.rollback-<stamp>[-N]. */
async function freeRollbackPath(destination: string, stamp: string): Promise<string> {
  let candidate = rollbackPathFor(destination, stamp);
  for (let n = 2; await pathExists(candidate); n += 1) candidate = `${rollbackPathFor(destination, stamp)}-${n}`;
  return candidate;
}

/**
 * Whole restore: each staged root takes the place of its destination. A directory destination is never renamed:
 * what it keeps (see planCarry) stays, everything else moves to the rollback copy and the staged entries move in.
 * Every step is journaled; the caller commits or rolls back.
 */
export async function applyFull(journal: SwapJournal, swaps: RootSwap[], context: CarryContext, stamp: string): Promise<ApplyResult> {
  const done: Array<{ live: string; rollback: string }> = [];
  const carried: string[] = [];
  const conflicts: string[] = [];
  for (const swap of swaps) {
    const staged = await fs.lstat(swap.staged).catch(() => undefined);
    if (!staged) continue;
    const outer = done.find((d) => d.live !== swap.live && isInside(d.live, swap.live));
    const rollback = outer ? path.join(outer.rollback, path.relative(outer.live, swap.live)) : await freeRollbackPath(swap.live, stamp);
    const live = await fs.lstat(swap.live).catch(() => undefined);
    if (!live) await journal.place(swap.staged, swap.live);
    else if (!live.isDirectory() || !staged.isDirectory()) {
      await journal.move(swap.live, rollback);
      await journal.place(swap.staged, swap.live);
    } else {
      // Planned again now: an outer root's swap may have changed what is here.
      const carry = outer
        ? await planCarry(
            swap.live,
            carryRulesFor(swap.root, swap.live, context, (rel) => swap.archived.has(rel)),
          )
        : swap.carry;
      const found: string[] = [];
      const { pinned } = carryRulesFor(swap.root, swap.live, context, (rel) => swap.archived.has(rel));
      await swapAround(journal, swap.staged, swap.live, rollback, carry.marks, found, pinned);
      carried.push(...carry.carried.map((rel) => path.join(swap.live, rel)));
      conflicts.push(...found.map((rel) => path.join(swap.live, rel)));
    }
    if (!outer) done.push({ live: swap.live, rollback });
  }
  const rollback: string[] = [];
  for (const { rollback: dir } of done) {
    const left = await dropIfEmpty(dir);
    if (left) rollback.push(left);
  }
  return { rollback, replaced: 0, added: 0, carried, conflicts };
}

/** --only: each staged file replaces its live counterpart; replaced files go to one rollback tree. */
export async function applySelected(
  journal: SwapJournal,
  plan: RestorePlan,
  written: Set<string>,
  staging: string,
  stamp: string,
  target: string,
): Promise<ApplyResult> {
  const rollbackDir = await freeRollbackPath(target, stamp);
  let replaced = 0;
  let added = 0;
  const movedLinks: string[] = [];
  for (const entry of plan.selected) {
    if (entry.kind === 'directory' || !written.has(entry.rel)) continue;
    const found = rootOf(plan.roots, entry.rel);
    if (!found) continue;
    const { root, inner } = found;
    const destination = inner ? path.join(root.destination, inner) : root.destination;
    const base = root.role !== 'state' && isInside(target, root.destination) ? target : root.destination;
    const rollbackFor = (abs: string) =>
      isInside(root.destination, abs)
        ? path.join(rollbackDir, root.id, path.relative(root.destination, abs))
        : path.join(rollbackDir, 'state', path.relative(target, abs));
    const moved = await moveLinksInTheWay(journal, base, destination, rollbackFor);
    if (moved) movedLinks.push(moved);
    const wasThere = await swapFile(journal, path.join(staging, entry.rel), destination, path.join(rollbackDir, root.id, inner));
    if (wasThere) replaced += 1;
    else added += 1;
  }
  return { rollback: replaced || movedLinks.length ? [rollbackDir] : [], replaced, added, carried: [], conflicts: [], movedLinks };
}

/** Undoes a failed swap. Nothing is deleted when the undo is incomplete: the journal stays for the next command. */
export async function undoOrExplain(
  journal: SwapJournal,
  error: unknown,
  staging: string,
): Promise<{ error: BackupError; keepStaging: boolean }> {
  const failures = await journal.rollback();
  const cause = error instanceof Error ? error.message : String(error);
  if (failures.length) {
    const message = `restore failed (${cause}) and could not be fully undone: ${failures.join('; ')}. The restored files and the journal are in ${staging}; the next openclaw-backup command tries the undo again`;
    return { error: new BackupError('failure', message, { cause: error }), keepStaging: true };
  }
  return {
    error:
      error instanceof BackupError ? error : new BackupError('failure', `restore failed, nothing was changed: ${cause}`, { cause: error }),
    keepStaging: false,
  };
}
