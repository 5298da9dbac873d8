/*
 * The browse module (ls, find, diff, info): what a backup holds, from its manifest or index, never its contents.
 */
import picomatch from 'picomatch';
import { UsageError } from '../../errors.js';
import type { BackupIndex, IndexEntry } from './index-types.js';

/** "./workspace/memory/" → "workspace/memory"; absolute paths (outside roots) stay absolute. */
export function normalizeBrowsePath(input: string): string {
  let out = input.trim();
  while (out.startsWith('./')) out = out.slice(2);
  out = out.replace(/\/+$/, '');
  return out === '' ? '.' : out;
}

/** Path order as a tree reads (`find | sort` by component): each directory, then everything below it, by name. */
export function compareTreePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [p, q] = [x[i] as string, y[i] as string];
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/**
 * The entry at `at` and everything below it (all entries when `at` is undefined or "."), in tree order: the archive
 * walks breadth-first, but a reader looks for a file under its directory, as `ls -R` and `restic ls` show it.
 */
export function listEntries(index: BackupIndex, at?: string): IndexEntry[] {
  const wanted = at === undefined ? '.' : normalizeBrowsePath(at);
  const found = wanted === '.' ? [...index.entries] : index.entries.filter((e) => e.path === wanted || e.path.startsWith(`${wanted}/`));
  if (found.length === 0 && wanted !== '.') throw new UsageError(`nothing at ${wanted} in ${index.archive}`);
  return found.sort((a, b) => compareTreePaths(a.path, b.path));
}

/** How find reads a pattern, said in its help and when nothing matched. */
export const PATTERN_HINT =
  'a pattern without "/" matches base names (MEMORY.md, *.md); one with "/" matches a path as `ls` shows it or any tail of it (memory/*.md finds workspace/memory/x.md); "**" crosses dirs';

/**
 * A glob as restic reads one: without a "/" it matches the base name; with one, the whole path or any tail of it
 * that starts at a "/" (restic's unanchored patterns match at any depth; a leading "/" anchors to the path's start).
 * `**` crosses directories; dot files match.
 */
export function entryMatcher(pattern: string): (entry: IndexEntry) => boolean {
  const glob = normalizeBrowsePath(pattern);
  const match = picomatch(glob, { dot: true });
  if (!glob.includes('/')) return (entry) => match(entry.path.slice(entry.path.lastIndexOf('/') + 1));
  if (glob.startsWith('/')) {
    // Anchored: an absolute path (a root outside the state dir), or "/workspace/…" for the state-relative one.
    const anchored = picomatch(glob.slice(1), { dot: true });
    return (entry) => match(entry.path) || anchored(entry.path);
  }
  return (entry) => {
    if (match(entry.path)) return true;
    for (let i = entry.path.indexOf('/'); i >= 0; i = entry.path.indexOf('/', i + 1)) if (match(entry.path.slice(i + 1))) return true;
    return false;
  };
}
