import fs from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from 'node:fs';
import type { ArchiveWriter } from './archive-writer.js';
import { isDamaged, SnapshotPipeline, takeSnapshot, type SnapshotOutcome } from './db-snapshots.js';
import type { FileFlag, ManifestEntry } from './manifest.js';
import { entryMetaOf, fileBaseOf, type FlaggedFile, type ManifestSink, type Stored, type WalkedFile } from './entry-sink.js';

export type { FlaggedFile, Stored } from './entry-sink.js';
import { isReplaced, ReadScratch, readStableFile, type OnFileBytes, type StableRead } from './read-stable.js';
import { checkIntegrity, isDamagedDatabaseError, isSqliteHeader, SQLITE_NAME } from './sqlite-snapshot.js';
import { storeSparse } from './store-sparse.js';
import type { Timings } from './timings.js';
import { isVanished } from './walk.js';

export interface StoreContext {
  writer: ArchiveWriter;
  manifest: ManifestSink | undefined;
  /**
   * Database snapshots by live path: taken already, or (a SnapshotPipeline) being copied and checked beside the
   * stream, in which case the databases are stored after every other file.
   */
  snapshots: Map<string, SnapshotOutcome>;
  stagingDir: string;
  scratch: ReadScratch;
  warn: (message: string) => void;
  flagged: FlaggedFile[];
  /** Files the survey saw with holes: stored in the sparse format unless they turn out dense. */
  sparseFiles: ReadonlySet<string>;
  /** Where reads and hashing are added up (default: the run's, see timings.ts). */
  timings?: Timings | undefined;
  /** Bytes of the file being read so far, for progress within a large file. */
  onFileBytes?: OnFileBytes | undefined;
}

/** Where a large file is copied while it is read (one per backup: one file is read at a time). */
const stagingFiles = new WeakMap<StoreContext, string>();

/** SQLite's side files: never archived for a good database (the snapshot holds their data), kept for a damaged one. */
const SIDE_FILES = ['-wal', '-journal'];

function vanishedWarning(abs: string): string {
  return `${abs} vanished while it was backed up; skipped`;
}

/** Reads a file for the archive; undefined when it vanished since the walk listed it. */
async function readOrVanish(ctx: StoreContext, abs: string): Promise<StableRead | undefined> {
  try {
    let staging = stagingFiles.get(ctx);
    if (!staging) stagingFiles.set(ctx, (staging = path.join(ctx.stagingDir, 'current-file')));
    return await readStableFile(abs, staging, {
      scratch: ctx.scratch,
      timings: ctx.timings ?? ctx.scratch.timings,
      onBytes: ctx.onFileBytes,
    });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (isVanished(cause) || isReplaced(cause)) return undefined;
    throw error;
  }
}

/** Adds one stable read as a file entry, its metadata that of the read; returns the bytes stored. */
async function addRead(
  ctx: StoreContext,
  file: Pick<WalkedFile, 'name' | 'component'>,
  read: StableRead,
  flag?: FileFlag,
): Promise<number> {
  const meta = entryMetaOf(read.stat);
  if (read.kind === 'buffer') await ctx.writer.addBuffer(file.name, read.data, meta);
  else {
    await ctx.writer.addFile(file.name, read.file, read.size, meta);
    await fs.rm(read.file, { force: true });
  }
  const size = read.kind === 'buffer' ? read.data.length : read.size;
  const entry: ManifestEntry = { ...fileBaseOf(file, read.stat), type: 'file', size, sha256: read.sha256 };
  await ctx.manifest?.add(flag ? { ...entry, flagged: flag } : entry);
  return size;
}

/**
 * A database that cannot be snapshotted or fails integrity_check: the bytes on disk (and its -wal/-journal, which
 * recovery tools read too) are archived as they are and flagged, so a damaged install still gets a backup of
 * everything, the damaged file included. The backup then fails (exit 1) with this warning; see damagedDatabaseError.
 */
async function storeDamaged(ctx: StoreContext, file: WalkedFile, reason: string, read?: StableRead): Promise<Stored | undefined> {
  const { abs, name } = file;
  const raw = read ?? (await readOrVanish(ctx, abs));
  if (!raw) {
    ctx.warn(vanishedWarning(abs));
    return undefined;
  }
  const flag: FileFlag = { kind: 'corrupt-database', reason };
  const stored = { bytes: await addRead(ctx, file, raw, flag), files: 1 };
  ctx.flagged.push({ path: abs, entry: name, ...flag });
  const sides: string[] = [];
  for (const suffix of SIDE_FILES) {
    const side = `${abs}${suffix}`;
    const stat = await fs.lstat(side).catch(() => undefined);
    if (!stat?.isFile()) continue;
    const sideRead = await readOrVanish(ctx, side);
    if (!sideRead) continue;
    const sideFlag: FileFlag = {
      kind: 'corrupt-database',
      reason: `${suffix.slice(1)} file of the damaged database ${path.basename(abs)}`,
    };
    stored.bytes += await addRead(ctx, { name: `${name}${suffix}`, component: file.component }, sideRead, sideFlag);
    stored.files += 1;
    sides.push(path.basename(side));
  }
  const with_ = sides.length ? ` (with its ${sides.join(' and ')})` : '';
  ctx.warn(
    `database ${abs} is damaged (${reason}): stored as a raw copy${with_}, flagged in the manifest; everything else is backed up. ` +
      `Recover it with: sqlite3 ${abs} .recover | sqlite3 recovered.sqlite, or restore it from an older archive`,
  );
  return stored;
}

/**
 * Adds a snapshot once it passed integrity_check (a SnapshotPipeline checked it beside the stream; one taken
 * otherwise is checked here); a damaged one is archived raw instead.
 */
async function storeSnapshot(
  ctx: StoreContext,
  file: WalkedFile,
  live: Stats,
  outcome: SnapshotOutcome,
  read?: StableRead,
): Promise<Stored | undefined> {
  const { abs, name } = file;
  if (isDamaged(outcome)) return storeDamaged(ctx, file, outcome.damaged, read);
  try {
    if (!outcome.checked) await checkIntegrity(outcome.file, abs);
  } catch (error) {
    if (!isDamagedDatabaseError(error)) throw error;
    await fs.rm(outcome.file, { force: true });
    return storeDamaged(ctx, file, (error as Error).message.replace(/^database \S+ /, ''), read);
  }
  const sha256 = await ctx.writer.addFile(name, outcome.file, outcome.size, entryMetaOf(live));
  await fs.rm(outcome.file, { force: true });
  await ctx.manifest?.add({
    ...fileBaseOf(file, live),
    type: 'file',
    size: outcome.size,
    sha256,
    sqlite: { snapshot: true, integrity: 'ok', pages: outcome.pages },
  });
  return { bytes: outcome.size, files: 1 };
}

/**
 * Archives one regular file and returns the bytes stored: a database as its snapshot (taken now when the walk
 * finds a SQLite header the name did not announce), anything else as one stable read. Undefined when the file
 * vanished since the walk listed it (skipped with a warning).
 */
export async function storeFile(ctx: StoreContext, file: WalkedFile): Promise<Stored | undefined> {
  const { abs, name } = file;
  const pipeline = ctx.snapshots instanceof SnapshotPipeline ? ctx.snapshots : undefined;
  const pending = pipeline?.outcome(abs);
  if (pending) {
    // First asked during the walk: later, so the copy and the check run beside every other file.
    if (pipeline?.deferOnce(abs)) return { bytes: 0, files: 0, deferred: true };
    const live = await liveStat(ctx, file);
    if (!live) return undefined;
    const timings = ctx.timings ?? ctx.scratch.timings;
    return storeSnapshot(ctx, file, live, await (timings ? timings.wait('waitDatabase', pending) : pending));
  }
  const snapshot = ctx.snapshots.get(abs);
  if (snapshot) {
    const live = await liveStat(ctx, file);
    return live && storeSnapshot(ctx, file, live, snapshot);
  }
  let read: StableRead | undefined;
  if (ctx.sparseFiles.has(abs) && !SQLITE_NAME.test(abs)) {
    const sparse = await storeSparse(ctx, file);
    if (typeof sparse === 'number') return { bytes: sparse, files: 1 };
    if (sparse === 'vanished') {
      ctx.warn(vanishedWarning(abs));
      return undefined;
    }
    read = sparse;
  }
  read ??= await readOrVanish(ctx, abs);
  if (!read) {
    ctx.warn(vanishedWarning(abs));
    return undefined;
  }
  const head = read.kind === 'buffer' ? read.data.subarray(0, 16) : await readHead(read.file);
  if (isSqliteHeader(head)) {
    // The read is kept for the damaged case: it is what the file held.
    try {
      const taken = pipeline ? await pipeline.takeNow(abs) : await takeSnapshot(abs, ctx.stagingDir);
      return await storeSnapshot(ctx, file, read.stat, taken, read);
    } finally {
      if (read.kind === 'staged') await fs.rm(read.file, { force: true });
    }
  }
  if (!read.stable) ctx.warn(`${abs} kept changing while it was read; archived the last complete read`);
  const size = read.kind === 'buffer' ? read.data.length : read.size;
  if (SQLITE_NAME.test(abs) && size > 0) {
    const flag: FileFlag = { kind: 'not-a-database', reason: 'named like a SQLite database but has no SQLite header' };
    ctx.flagged.push({ path: abs, entry: name, ...flag });
    ctx.warn(`${abs} is named like a database but is not a SQLite database: stored as is, flagged in the manifest`);
    return { bytes: await addRead(ctx, file, read, flag), files: 1 };
  }
  return { bytes: await addRead(ctx, file, read), files: 1 };
}

/**
 * The live file's stat (a database's metadata goes with its snapshot): the walk's, else an lstat now; undefined,
 * with the vanished warning, when it is gone.
 */
async function liveStat(ctx: StoreContext, file: WalkedFile): Promise<Stats | undefined> {
  if (file.stat) return file.stat;
  try {
    return await fs.lstat(file.abs);
  } catch (error) {
    if (!isVanished(error)) throw error;
    ctx.warn(vanishedWarning(file.abs));
    return undefined;
  }
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await handle.read(buf, 0, 16, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
