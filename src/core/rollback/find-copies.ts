import fs from 'node:fs/promises';
import path from 'node:path';
import { discoverConfiguredRoots, externalRoots } from '../../config/workspaces.js';
import type { StatePaths } from '../../config/paths.js';

/**
 * A rollback copy an in-place restore left beside what it replaced: `<dir>.rollback-<UTC stamp>[-N]`. It holds the
 * previous state — credentials and keys included — until someone removes it.
 */
export interface RollbackCopy {
  path: string;
  /** The state dir or workspace it is a copy of. */
  of: string;
  createdAt: string;
  /** Apparent size of every file below it (links not followed). */
  bytes: number;
  files: number;
}

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-\d+)?$/;

/** Total size and file count of a tree, without following links (a copy may hold links anywhere). */
async function measure(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const pending = [dir];
  while (pending.length) {
    const current = pending.pop() as string;
    const entries = await fs.readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) {
        files += 1;
        bytes += (await fs.lstat(full).catch(() => undefined))?.size ?? 0;
      }
    }
  }
  return { bytes, files };
}

/** Rollback copies beside one directory, newest first. */
async function copiesBeside(of: string): Promise<RollbackCopy[]> {
  const parent = path.dirname(of);
  const prefix = `${path.basename(of)}.rollback-`;
  const copies: RollbackCopy[] = [];
  for (const name of await fs.readdir(parent).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const m = STAMP.exec(name.slice(prefix.length));
    const full = path.join(parent, name);
    if (!m || !(await fs.lstat(full).catch(() => undefined))?.isDirectory()) continue;
    const createdAt = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
    copies.push({ path: full, of, createdAt, ...(await measure(full)) });
  }
  return copies;
}

/**
 * The rollback copies of this state: beside the state dir, and beside each workspace or agent dir the config names
 * outside it (restore puts those roots' copies there). Newest first.
 */
export async function findRollbackCopies(paths: StatePaths, openclaw: Record<string, unknown> | undefined): Promise<RollbackCopy[]> {
  const roots = openclaw ? externalRoots(discoverConfiguredRoots(openclaw, paths.stateDir, paths.home), paths.stateDir) : [];
  const all: RollbackCopy[] = [];
  for (const of of [paths.stateDir, ...roots.map((root) => root.path)]) all.push(...(await copiesBeside(of)));
  return all.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.path.localeCompare(a.path));
}

export interface RollbackSummary {
  count: number;
  bytes: number;
  oldest: string | null;
  newest: string | null;
  paths: string[];
}

export function summarizeRollbackCopies(copies: RollbackCopy[]): RollbackSummary {
  return {
    count: copies.length,
    bytes: copies.reduce((sum, copy) => sum + copy.bytes, 0),
    oldest: copies.at(-1)?.createdAt ?? null,
    newest: copies[0]?.createdAt ?? null,
    paths: copies.map((copy) => copy.path),
  };
}
