import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isDamaged, takeSnapshot, type SnapshotOutcome } from '../archive/db-snapshots.js';
import { fileBaseOf, type EntrySink, type FileBase, type WalkedFile } from '../archive/entry-sink.js';
import type { FileFlag, ManifestEntry } from '../archive/manifest.js';
import { readStableFile } from '../archive/read-stable.js';
import { checkIntegrity, isDamagedDatabaseError, isSqliteHeader, SQLITE_NAME } from '../archive/sqlite-snapshot.js';
import type { FlaggedFile, Stored } from '../archive/store-file.js';
import { isVanished } from '../archive/walk.js';
import type { EntryListWriter } from './entry-lists.js';
import { identityOf, type HashCache } from './hash-cache.js';
import { hashStableFile, sha256OfFile } from './hash-file.js';

export interface ResticSinkOptions {
  manifest: EntryListWriter;
  cache: HashCache;
  snapshots: Map<string, SnapshotOutcome>;
  /** Where database snapshots are made (on the files dir's filesystem). */
  stagingDir: string;
  /** The snapshot's own files: content that is not the live file (see ManifestEntry.staged). */
  filesDir: string;
  /** Files with holes on disk (from the survey). */
  sparseFiles: ReadonlySet<string>;
  warn: (message: string) => void;
}

/** Entries read this run are verified after the backup; past this many, the whole snapshot is. */
const MAX_READ_LIST = 2000;
const SIDE_FILES = ['-wal', '-journal'];

const vanished = (abs: string) => `${abs} vanished while it was backed up; skipped`;

/**
 * The walk's record for a repository: restic reads the source trees itself, so nothing is copied. Each file gets
 * its SHA-256 from the hash cache, or by one read when it changed; what restic must not read from the trees (live
 * databases, files that kept changing, whatever the selection leaves out) is excluded, and what stands in for it
 * (database snapshots, last complete reads) is placed in the snapshot's files dir.
 */
export class ResticSink implements EntrySink {
  readonly flagged: FlaggedFile[] = [];
  /** Paths restic must leave out (each with its subtree). */
  readonly excluded = new Set<string>();
  /** Entries whose content was read (or staged) this run: what the run's verify reads back. Undefined: too many. */
  readThisRun: string[] | undefined = [];

  constructor(private readonly options: ResticSinkOptions) {}

  async addDirectory(): Promise<void> {}
  async addSymlink(): Promise<void> {}

  skip(abs: string): void {
    this.excluded.add(abs);
  }

  private noteRead(name: string): void {
    if (!this.readThisRun) return;
    this.readThisRun.push(name);
    if (this.readThisRun.length > MAX_READ_LIST) this.readThisRun = undefined;
  }

  private stagedPath(name: string): string {
    return path.join(this.options.filesDir, name);
  }

  /** Moves (or writes) content into the files dir under the entry's name. */
  private async place(name: string, from: { file: string } | { data: Buffer }): Promise<void> {
    const target = this.stagedPath(name);
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    if ('file' in from) await fs.rename(from.file, target);
    else await fs.writeFile(target, from.data, { mode: 0o600 });
  }

  private async add(entry: ManifestEntry, name: string): Promise<number> {
    await this.options.manifest.add(entry);
    this.noteRead(name);
    return entry.type === 'file' ? entry.size : 0;
  }

  async storeFile(file: WalkedFile): Promise<Stored | undefined> {
    const { abs, name } = file;
    // This sink does not set statsOwnFiles: the walk lstat'ed the file.
    if (!file.stat) throw new Error(`${abs}: the walk did not stat it`);
    const base = fileBaseOf(file, file.stat);
    const snapshot = this.options.snapshots.get(abs);
    if (snapshot) return this.storeSnapshot(abs, name, base, snapshot);
    const databaseName = SQLITE_NAME.test(abs);
    let stat: fsSync.BigIntStats | undefined;
    try {
      stat = fsSync.lstatSync(abs, { bigint: true });
    } catch (error) {
      if (!isVanished(error)) throw error;
    }
    if (!stat?.isFile()) {
      this.options.warn(vanished(abs));
      return undefined;
    }
    // Files named like databases are always read: whether they are one (or flagged as not one) is decided each run.
    const cached = databaseName ? undefined : this.options.cache.lookup(abs, identityOf(stat));
    if (cached) {
      const holes = this.options.sparseFiles.has(abs) ? { holes: true as const } : {};
      await this.options.manifest.add({ ...base, type: 'file', size: Number(stat.size), sha256: cached, ...holes });
      return { bytes: Number(stat.size), files: 1 };
    }
    let hashed;
    try {
      hashed = await hashStableFile(abs);
    } catch (error) {
      if (!isVanished(error)) throw error;
      this.options.warn(vanished(abs));
      return undefined;
    }
    if (isSqliteHeader(hashed.head)) return this.storeSnapshot(abs, name, base, await takeSnapshot(abs, this.options.stagingDir));
    const entryBase = {
      ...base,
      type: 'file' as const,
      mtimeMs: Number(hashed.identity.mtimeNs / 1_000_000n),
      ...(this.options.sparseFiles.has(abs) ? { holes: true as const } : {}),
    };
    if (!hashed.stable) return this.storeLastRead(abs, name, entryBase);
    this.options.cache.remember(abs, hashed.identity, hashed.sha256);
    let flag: FileFlag | undefined;
    if (databaseName && hashed.size > 0) {
      flag = { kind: 'not-a-database', reason: 'named like a SQLite database but has no SQLite header' };
      this.flagged.push({ path: abs, entry: name, ...flag });
      this.options.warn(`${abs} is named like a database but is not a SQLite database: stored as is, flagged in the manifest`);
    }
    const entry: ManifestEntry = { ...entryBase, size: hashed.size, sha256: hashed.sha256, ...(flag ? { flagged: flag } : {}) };
    return { bytes: await this.add(entry, name), files: 1 };
  }

  /** A file that kept changing: its last complete read is staged and restic reads that, not the live file. */
  private async storeLastRead(abs: string, name: string, base: FileBase & { type: 'file' }): Promise<Stored | undefined> {
    const target = this.stagedPath(name);
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    let read;
    try {
      read = await readStableFile(abs, target);
    } catch (error) {
      if (!isVanished((error as { cause?: unknown }).cause)) throw error;
      this.options.warn(vanished(abs));
      return undefined;
    }
    if (read.kind === 'buffer') await fs.writeFile(target, read.data, { mode: 0o600 });
    const size = read.kind === 'buffer' ? read.data.length : read.size;
    this.excluded.add(abs);
    this.options.warn(`${abs} kept changing while it was read; backed up the last complete read`);
    const entry: ManifestEntry = { ...base, mtimeMs: Math.trunc(read.stat.mtimeMs), size, sha256: read.sha256, staged: true };
    return { bytes: await this.add(entry, name), files: 1 };
  }

  /** A database as its snapshot (checked first); a damaged one as its raw bytes and side files, flagged. */
  private async storeSnapshot(abs: string, name: string, base: FileBase, outcome: SnapshotOutcome): Promise<Stored | undefined> {
    this.excluded.add(abs);
    if (isDamaged(outcome)) return this.storeDamaged(abs, name, base, outcome.damaged);
    try {
      await checkIntegrity(outcome.file, abs);
    } catch (error) {
      if (!isDamagedDatabaseError(error)) throw error;
      await fs.rm(outcome.file, { force: true });
      return this.storeDamaged(abs, name, base, (error as Error).message.replace(/^database \S+ /, ''));
    }
    const sha256 = await sha256OfFile(outcome.file);
    await this.place(name, { file: outcome.file });
    const entry: ManifestEntry = {
      ...base,
      type: 'file',
      size: outcome.size,
      sha256,
      sqlite: { snapshot: true, integrity: 'ok', pages: outcome.pages },
      staged: true,
    };
    return { bytes: await this.add(entry, name), files: 1 };
  }

  private async storeDamaged(abs: string, name: string, base: FileBase, reason: string): Promise<Stored | undefined> {
    const flag: FileFlag = { kind: 'corrupt-database', reason };
    const main = await this.storeRaw(abs, name, base, flag);
    if (!main) {
      this.options.warn(vanished(abs));
      return undefined;
    }
    this.flagged.push({ path: abs, entry: name, ...flag });
    const stored = { bytes: main, files: 1 };
    const sides: string[] = [];
    for (const suffix of SIDE_FILES) {
      const side = `${abs}${suffix}`;
      const stat = await fs.lstat(side).catch(() => undefined);
      if (!stat?.isFile()) continue;
      const sideFlag: FileFlag = {
        kind: 'corrupt-database',
        reason: `${suffix.slice(1)} file of the damaged database ${path.basename(abs)}`,
      };
      const sideBase = { ...base, path: `${name}${suffix}`, mode: stat.mode & 0o7777, mtimeMs: Math.trunc(stat.mtimeMs) };
      const bytes = await this.storeRaw(side, `${name}${suffix}`, sideBase, sideFlag);
      if (bytes === undefined) continue;
      stored.bytes += bytes;
      stored.files += 1;
      sides.push(path.basename(side));
    }
    const with_ = sides.length ? ` (with its ${sides.join(' and ')})` : '';
    this.options.warn(
      `database ${abs} is damaged (${reason}): stored as a raw copy${with_}, flagged in the manifest; everything else is backed up. ` +
        `Recover it with: sqlite3 ${abs} .recover | sqlite3 recovered.sqlite, or restore it from an older archive`,
    );
    return stored;
  }

  /** The bytes on disk as they are, staged (restic must not read a damaged database's live files). */
  private async storeRaw(abs: string, name: string, base: FileBase, flag: FileFlag): Promise<number | undefined> {
    const target = this.stagedPath(name);
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    let read;
    try {
      read = await readStableFile(abs, target);
    } catch (error) {
      if (isVanished((error as { cause?: unknown }).cause)) return undefined;
      throw error;
    }
    if (read.kind === 'buffer') await fs.writeFile(target, read.data, { mode: 0o600 });
    this.excluded.add(abs);
    const size = read.kind === 'buffer' ? read.data.length : read.size;
    const entry: ManifestEntry = { ...base, type: 'file', size, sha256: read.sha256, flagged: flag, staged: true };
    return this.add(entry, name);
  }
}
