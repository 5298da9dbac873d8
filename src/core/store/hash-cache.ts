import type { BigIntStats } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

/** What identifies a file's content without reading it, as borg's files cache and restic's parent check use. */
export interface FileIdentity {
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
  dev: bigint;
}

export function identityOf(stat: BigIntStats): FileIdentity {
  return { size: stat.size, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs, ino: stat.ino, dev: stat.dev };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino && a.dev === b.dev;
}

/**
 * A file changed this close to the run's start may change again within the same timestamp tick without its
 * mtime or ctime moving (coarse clocks, a write in the same second): borg does not remember such files, nor do we.
 */
const TOO_RECENT_NS = 2_000_000_000n;
/** Entries not seen for this many runs are forgotten (a backup with --only sees a part of the tree). */
const KEEP_RUNS = 8n;

interface Row {
  size: bigint;
  mtime_ns: bigint;
  ctime_ns: bigint;
  ino: bigint;
  dev: bigint;
  sha256: string;
}

/**
 * The SHA-256 of every file the last backups read, keyed by path and guarded by size, mtime and ctime in
 * nanoseconds, inode and device: a repository backup hashes only the files that changed, as restic reads only
 * those. A SQLite file in our cache dir (deleting it costs one full read, nothing else); memory stays flat.
 */
export class HashCache {
  private readonly lookupRow: StatementSync;
  private readonly touchRow: StatementSync;
  private readonly upsertRow: StatementSync;
  private readonly run: bigint;
  hits = 0;
  misses = 0;

  private constructor(
    private readonly db: DatabaseSync,
    private readonly startedNs: bigint,
  ) {
    db.exec(`PRAGMA journal_mode = DELETE;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS files (
        path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,
        ino INTEGER NOT NULL, dev INTEGER NOT NULL, sha256 TEXT NOT NULL, seen INTEGER NOT NULL) WITHOUT ROWID;`);
    const last = db.prepare("SELECT value FROM meta WHERE key = 'run'");
    last.setReadBigInts(true);
    this.run = ((last.get() as { value?: bigint } | undefined)?.value ?? 0n) + 1n;
    this.lookupRow = db.prepare('SELECT size, mtime_ns, ctime_ns, ino, dev, sha256 FROM files WHERE path = ?');
    this.lookupRow.setReadBigInts(true);
    this.touchRow = db.prepare('UPDATE files SET seen = ? WHERE path = ?');
    this.upsertRow = db.prepare(
      'INSERT OR REPLACE INTO files (path, size, mtime_ns, ctime_ns, ino, dev, sha256, seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    db.exec('BEGIN');
  }

  /** Opens (creating) the cache; `startedNs`: the run's start, for the too-recent rule. A damaged cache starts over. */
  static open(file: string, startedNs: bigint): HashCache {
    const db = new DatabaseSync(file);
    try {
      return new HashCache(db, startedNs);
    } catch (error) {
      db.close();
      if (!/malformed|not a database|corrupt/i.test((error as Error).message)) throw error;
      // Only ever a cache: a damaged one is replaced, never trusted.
      const fresh = new DatabaseSync(file);
      fresh.exec('DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS meta;');
      return new HashCache(fresh, startedNs);
    }
  }

  /** The remembered hash when the file is, by every guard, the one that was read. */
  lookup(file: string, now: FileIdentity): string | undefined {
    const row = this.lookupRow.get(file) as Row | undefined;
    if (!row || !sameIdentity(now, { size: row.size, mtimeNs: row.mtime_ns, ctimeNs: row.ctime_ns, ino: row.ino, dev: row.dev })) {
      this.misses += 1;
      return undefined;
    }
    this.touchRow.run(this.run, file);
    this.hits += 1;
    return row.sha256;
  }

  /** Remembers a hash read from a file that did not change while it was read, unless it changed too recently. */
  remember(file: string, read: FileIdentity, sha256: string): void {
    const newest = read.mtimeNs > read.ctimeNs ? read.mtimeNs : read.ctimeNs;
    if (newest > this.startedNs - TOO_RECENT_NS) return;
    this.upsertRow.run(file, read.size, read.mtimeNs, read.ctimeNs, read.ino, read.dev, sha256, this.run);
  }

  /** Forgets what no recent run saw and saves; the cache is only written when the backup got this far. */
  close(commit: boolean): void {
    try {
      if (commit) {
        this.db.prepare('DELETE FROM files WHERE seen < ?').run(this.run - KEEP_RUNS);
        this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('run', ?)").run(this.run);
        this.db.exec('COMMIT');
      } else this.db.exec('ROLLBACK');
    } finally {
      this.db.close();
    }
  }
}
