import fs, { type Stats } from 'node:fs';
import { BackupError, describeFsError } from '../../errors.js';
import { performance } from 'node:perf_hooks';
import { RESTORE_STAGING_PREFIX, STAGING_PREFIX } from '../fs/temp-files.js';
import type { Timings } from './timings.js';

export interface WalkEntry {
  abs: string;
  /** Posix path relative to the walk root ("" is the root itself). */
  rel: string;
  stat: Stats;
  kind: 'file' | 'directory' | 'symlink' | 'other';
}

/** A regular file as the directory listed it, not lstat'ed (`lstatFiles: false`): its reader stats it when it opens it. */
export interface ListedFile {
  abs: string;
  rel: string;
  stat: undefined;
  kind: 'file';
}

export interface WalkOptions {
  /** Called with the relative path; true prunes the entry (and a directory's whole subtree). */
  skip?: (rel: string, kind: WalkEntry['kind']) => boolean;
  /**
   * Directories never entered (the backups dir): matched by path and by identity (device + inode, following
   * symlinks), so the backups dir is left out wherever it really lives, e.g. `backups -> workspace/bk`.
   */
  excludeAbs?: readonly string[];
  /** A directory or file that vanished between being listed and being read: skipped, never fatal. */
  onVanished?: (abs: string) => void;
  /** An entry left out by `skip`, `excludeAbs` or as one of our own scratch dirs (its subtree with it). */
  onSkip?: (abs: string) => void;
  signal?: AbortSignal | undefined;
  /** Where the time spent in readdir and lstat is added up ("walk"). */
  timings?: Timings | undefined;
  /**
   * false: regular files are known from the directory listing (d_type) and yielded without an lstat, for a caller
   * that opens each file anyway and takes its metadata from the open file; one syscall and one Stats less per file.
   */
  lstatFiles?: boolean;
}

function kindOf(stat: Stats): WalkEntry['kind'] {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** Gone (or replaced by a non-directory) since it was listed: a live tree changes while it is walked. */
export function isVanished(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function identityOf(stat: Stats): string {
  return `${stat.dev}:${stat.ino}`;
}

function excludedIdentities(paths: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const p of paths) {
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    if (stat?.isDirectory()) ids.add(identityOf(stat));
  }
  return ids;
}

/** Our own scratch dirs (a backup's staging dir, a restore's staging dir): never archived, wherever they are. */
function isOurTempDir(name: string): boolean {
  return name.startsWith(STAGING_PREFIX) || name.startsWith(RESTORE_STAGING_PREFIX);
}

function walkError(abs: string, error: unknown): BackupError {
  return new BackupError('failure', `cannot read ${abs}: ${describeFsError(error)}`, { cause: error });
}

/** In the order of `Array.prototype.sort()` on the names (UTF-16 code units), whether names or directory entries. */
function sortByName(listed: string[] | fs.Dirent[]): void {
  if (listed.length === 0 || typeof listed[0] === 'string') (listed as string[]).sort();
  else (listed as fs.Dirent[]).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Entries between two turns of the event loop, so signals and timers are served during a long walk. */
const YIELD_EVERY = 512;

/**
 * Depth-first, name-sorted walk that never follows symlinks. Directories are yielded before their contents.
 * Sockets, FIFOs and devices come out as kind "other" so the caller can report and skip them.
 * readdir and lstat are synchronous: for tens of thousands of small entries a thread-pool round trip per call
 * costs far more than the call itself (GNU tar makes the same calls, synchronously).
 */
export function walkTree(root: string, options: WalkOptions & { lstatFiles: false }): AsyncGenerator<WalkEntry | ListedFile>;
export function walkTree(root: string, options?: WalkOptions): AsyncGenerator<WalkEntry>;
export async function* walkTree(root: string, options: WalkOptions = {}): AsyncGenerator<WalkEntry | ListedFile> {
  const listFiles = options.lstatFiles === false;
  const exclude = new Set(options.excludeAbs ?? []);
  const excludeIds = excludedIdentities(options.excludeAbs ?? []);
  let rootStat: Stats;
  try {
    rootStat = fs.lstatSync(root);
  } catch (error) {
    if (!isVanished(error)) throw walkError(root, error);
    options.onVanished?.(root);
    return;
  }
  yield { abs: root, rel: '', stat: rootStat, kind: kindOf(rootStat) };
  if (!rootStat.isDirectory()) return;

  const stack: Array<{ abs: string; rel: string }> = [{ abs: root, rel: '' }];
  let sinceYield = 0;
  while (stack.length > 0) {
    const dir = stack.pop() as { abs: string; rel: string };
    if (options.signal?.aborted) return;
    let listed: string[] | fs.Dirent[];
    let started = performance.now();
    try {
      listed = listFiles ? fs.readdirSync(dir.abs, { withFileTypes: true }) : fs.readdirSync(dir.abs);
    } catch (error) {
      if (!isVanished(error)) throw walkError(dir.abs, error);
      options.onVanished?.(dir.abs);
      continue;
    } finally {
      options.timings?.add('walk', performance.now() - started);
    }
    sortByName(listed);
    const subdirs: Array<{ abs: string; rel: string }> = [];
    // dir.abs is normalized and a name never holds a '/': plain concatenation, not path.join, whose normalizing
    // was most of the walk's garbage (bench/ANALYSIS.md).
    const prefix = dir.abs.endsWith('/') ? dir.abs : `${dir.abs}/`;
    for (const item of listed) {
      const name = typeof item === 'string' ? item : item.name;
      const abs = prefix + name;
      const rel = dir.rel ? `${dir.rel}/${name}` : name;
      if (exclude.has(abs)) {
        options.onSkip?.(abs);
        continue;
      }
      if ((sinceYield += 1) >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (typeof item !== 'string' && item.isFile()) {
        if (options.skip?.(rel, 'file')) options.onSkip?.(abs);
        else yield { abs, rel, stat: undefined, kind: 'file' };
        continue;
      }
      let stat: Stats | undefined;
      started = performance.now();
      try {
        stat = fs.lstatSync(abs, { throwIfNoEntry: false });
      } catch (error) {
        if (!isVanished(error)) throw walkError(abs, error);
      } finally {
        options.timings?.add('walk', performance.now() - started);
      }
      if (!stat) {
        options.onVanished?.(abs);
        continue;
      }
      const kind = kindOf(stat);
      if ((kind === 'directory' && (isOurTempDir(name) || excludeIds.has(identityOf(stat)))) || options.skip?.(rel, kind)) {
        options.onSkip?.(abs);
        continue;
      }
      if (kind === 'directory') {
        // Emit the directory now, its contents after the files of this level.
        yield { abs, rel, stat, kind };
        subdirs.push({ abs, rel });
      } else {
        yield { abs, rel, stat, kind };
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i -= 1) stack.push(subdirs[i] as { abs: string; rel: string });
  }
}
