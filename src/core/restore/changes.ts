import fs from 'node:fs/promises';
import path from 'node:path';
import { isNeverArchived } from '../components.js';
import { sha256File } from '../fs/hash-file.js';
import { databaseContentDigest } from '../archive/sqlite-digest.js';
import { hasSqliteHeader } from '../archive/sqlite-snapshot.js';
import type { ScanResult, ScannedEntry } from '../reader/scan-archive.js';
import type { RootSwap } from './apply.js';
import { rootOf } from './roots.js';
import type { RestorePlan } from './plan.js';

/** What a restore changes in the live tree (the dry run's report; a real restore reports carried and newer). */
export interface RestoreChanges {
  added: string[];
  /** Live files the archive holds a different version of. */
  changed: string[];
  /** Live files identical to the archive's (same type, size and SHA-256, or link target; a database: the same rows). */
  unchanged: number;
  /** Full restore: live files the archive does not hold; they go to the rollback copy. */
  removed: string[];
  /** Full restore: live paths kept where they are (left out by the archive's selection, ours, the backups dir). */
  carried: string[];
  /** Live files modified after the archive was made that the restore moves to the rollback copy. */
  newer: string[];
}

/** When the archive was made: our header, OpenClaw's manifest, else the newest entry of a hand-made tar. */
export function archiveTime(scan: ScanResult): Date | undefined {
  const stamp =
    (scan.header as { createdAt?: unknown } | undefined)?.createdAt ?? (scan.manifest as { createdAt?: unknown } | undefined)?.createdAt;
  if (typeof stamp === 'string' && !Number.isNaN(Date.parse(stamp))) return new Date(stamp);
  const times = [...scan.entries.values()].map((e) => e.mtimeMs ?? 0).filter((t) => t > 0);
  return times.length ? new Date(Math.max(...times)) : undefined;
}

/** Runtime scratch whose loss nobody notices; a database's -wal holds committed rows, so it counts. */
function isScratch(rel: string): boolean {
  return isNeverArchived(rel) && !/-(wal|journal)$/.test(rel);
}

function destinationOf(plan: RestorePlan, swaps: RootSwap[] | undefined, entry: ScannedEntry): string | undefined {
  const found = rootOf(plan.roots, entry.rel);
  if (!found) return undefined;
  const base = swaps?.find((s) => s.root.id === found.root.id)?.live ?? found.root.destination;
  return found.inner ? path.join(base, found.inner) : base;
}

async function isUnchanged(entry: ScannedEntry, dest: string, stat: import('node:fs').Stats): Promise<boolean> {
  if (entry.kind === 'symlink') return stat.isSymbolicLink() && (await fs.readlink(dest).catch(() => undefined)) === entry.target;
  if (entry.kind !== 'file' || !stat.isFile()) return false;
  // A database is compared by what it holds: the live one's pages (and its -wal) never match the snapshot's bytes.
  if (entry.contentDigest) return sameDatabaseContent(dest, entry.contentDigest);
  if (stat.size !== entry.size) return false;
  return entry.sha256 !== undefined && (await sha256File(dest).catch(() => undefined)) === entry.sha256;
}

async function sameDatabaseContent(live: string, digest: string): Promise<boolean> {
  if (!(await hasSqliteHeader(live).catch(() => false))) return false;
  try {
    return databaseContentDigest(live) === digest;
  } catch {
    return false; // unreadable or locked: say changed, the safe side for a preview
  }
}

/** Walks what a full restore moves away from each root: live files not kept, minus those the archive replaces. */
async function walkMovedAway(
  swaps: RootSwap[],
  visit: (abs: string, rel: string, stat: import('node:fs').Stats, archived: boolean) => void,
): Promise<void> {
  for (const swap of swaps) {
    const walk = async (rel: string): Promise<void> => {
      for (const name of await fs.readdir(rel ? path.join(swap.live, rel) : swap.live).catch(() => [] as string[])) {
        const child = rel ? `${rel}/${name}` : name;
        const mark = swap.carry.marks.get(child);
        if (mark === 'keep') continue;
        const abs = path.join(swap.live, child);
        const stat = await fs.lstat(abs).catch(() => undefined);
        if (!stat) continue;
        if (stat.isDirectory()) await walk(child);
        else visit(abs, child, stat, swap.archived.has(child));
      }
    };
    const stat = await fs.lstat(swap.live).catch(() => undefined);
    if (stat?.isDirectory()) await walk('');
    else if (stat) visit(swap.live, '', stat, true);
  }
}

/** Live files a full restore moves to the rollback copy although they are newer than the archive. */
export async function newerMovedAway(swaps: RootSwap[], madeAt: Date | undefined): Promise<string[]> {
  const newer: string[] = [];
  if (!madeAt) return newer;
  await walkMovedAway(swaps, (abs, rel, stat) => {
    if (stat.mtimeMs > madeAt.getTime() && !isScratch(rel)) newer.push(abs);
  });
  return newer.sort();
}

/** --only: the live files it replaces that are newer than the archive. */
export async function newerReplaced(plan: RestorePlan, madeAt: Date | undefined): Promise<string[]> {
  const newer: string[] = [];
  if (!madeAt) return newer;
  for (const entry of plan.selected) {
    const dest = entry.kind === 'directory' ? undefined : destinationOf(plan, undefined, entry);
    const stat = dest ? await fs.lstat(dest).catch(() => undefined) : undefined;
    if (dest && stat && !stat.isDirectory() && stat.mtimeMs > madeAt.getTime()) newer.push(dest);
  }
  return newer.sort();
}

/** The dry run: every selected entry compared with the live file; for a full restore, what goes and what stays. */
export async function describeChanges(plan: RestorePlan, swaps: RootSwap[] | undefined, madeAt: Date | undefined): Promise<RestoreChanges> {
  const changes: RestoreChanges = { added: [], changed: [], unchanged: 0, removed: [], carried: [], newer: [] };
  for (const entry of plan.selected) {
    if (entry.kind === 'directory') continue;
    const dest = destinationOf(plan, swaps, entry);
    if (!dest) continue;
    const stat = await fs.lstat(dest).catch(() => undefined);
    if (!stat) changes.added.push(dest);
    else if (await isUnchanged(entry, dest, stat)) changes.unchanged += 1;
    else changes.changed.push(dest);
  }
  if (swaps) {
    await walkMovedAway(swaps, (abs, rel, _stat, archived) => {
      if (!archived && !isNeverArchived(rel)) changes.removed.push(abs);
    });
    changes.carried = swaps.flatMap((s) => s.carry.carried.map((rel) => path.join(s.live, rel)));
    changes.newer = await newerMovedAway(swaps, madeAt);
  } else changes.newer = await newerReplaced(plan, madeAt);
  changes.removed.sort();
  return changes;
}
