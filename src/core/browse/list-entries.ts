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

/**
 * A glob as restic's `find` reads it: matched against the whole path when it holds a "/", else against the base
 * name. `**` crosses directories; dot files match.
 */
export function entryMatcher(pattern: string): (entry: IndexEntry) => boolean {
  const glob = normalizeBrowsePath(pattern);
  const match = picomatch(glob, { dot: true });
  const byPath = glob.includes('/');
  return (entry) => (byPath ? match(entry.path) : match(entry.path.slice(entry.path.lastIndexOf('/') + 1)));
}
