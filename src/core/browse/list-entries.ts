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

/** The entry at `at` and everything below it (all entries when `at` is undefined or "."). */
export function listEntries(index: BackupIndex, at?: string): IndexEntry[] {
  if (at === undefined) return index.entries;
  const wanted = normalizeBrowsePath(at);
  if (wanted === '.') return index.entries;
  const found = index.entries.filter((e) => e.path === wanted || e.path.startsWith(`${wanted}/`));
  if (found.length === 0) throw new UsageError(`nothing at ${wanted} in ${index.archive}`);
  return found;
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
