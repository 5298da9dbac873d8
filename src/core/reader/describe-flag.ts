import type { FileFlag } from '../archive/manifest.js';

/** The -wal/-journal stored beside a damaged database (their reason says whose they are). */
export function isSideFileFlag(flag: FileFlag): boolean {
  return flag.kind === 'corrupt-database' && /^(wal|journal) file of /.test(flag.reason);
}

/** What a flagged entry is, in one line: verify and restore say the same. */
export function describeFlag(flag: FileFlag): string {
  if (isSideFileFlag(flag)) return `raw copy of the ${flag.reason}`;
  return flag.kind === 'corrupt-database'
    ? `raw copy of a database that was damaged when it was backed up (${flag.reason})`
    : `named like a database but not a SQLite database (${flag.reason}); stored as is`;
}
