import fs from 'node:fs/promises';
import path from 'node:path';
import { isSelected, type Selection } from '../components.js';
import { InterruptedError, throwIfAborted } from '../../errors.js';
import { performance } from 'node:perf_hooks';
import { DatabaseChecker } from './db-check-worker.js';
import type { Timings } from './timings.js';
import {
  closePinned,
  copyDatabase,
  copyPinned,
  hasSqliteHeader,
  isDamagedDatabaseError,
  pinDatabase,
  SQLITE_NAME,
  type PinnedDatabase,
} from './sqlite-snapshot.js';
import type { BackupSource } from './sources.js';
import { mayBeSparse } from './sparse-read.js';
import { walkTree } from './walk.js';

/** A consistent copy in the staging dir: it is hashed as it is stored. */
export interface DatabaseSnapshot {
  file: string;
  pages: number;
  size: number;
  /** It already passed integrity_check (a SnapshotPipeline checks each copy in its worker). */
  checked?: true;
}

/** A database that could not be copied or whose copy failed integrity_check: it is archived raw instead. */
export interface DamagedDatabase {
  damaged: string;
}

export type SnapshotOutcome = DatabaseSnapshot | DamagedDatabase;

export function isDamaged(outcome: SnapshotOutcome): outcome is DamagedDatabase {
  return 'damaged' in outcome;
}

let counter = 0;

function stagingFileFor(source: string, stagingDir: string): string {
  counter += 1;
  return path.join(stagingDir, `db-${counter}-${path.basename(source)}`);
}

/** SQLite's own words for a damaged file (its errstr), else the message. */
function damagedReason(error: unknown): string {
  const cause = (error as { cause?: { errstr?: string } }).cause;
  return cause?.errstr ?? (error as Error).message;
}

/**
 * Copies one live database into the staging dir with SQLite's online backup API. A damaged file (not a database
 * after all, or corrupt past what the copy can read) is reported as such, not thrown: one bad file must not block
 * the backup of everything else. The disk, a lock or an abort still throw.
 */
async function copyOrDamaged(
  copy: (file: string) => Promise<{ pages: number }>,
  source: string,
  stagingDir: string,
): Promise<SnapshotOutcome> {
  const file = stagingFileFor(source, stagingDir);
  try {
    const { pages } = await copy(file);
    const { size } = await fs.stat(file);
    return { file, pages, size };
  } catch (error) {
    if (!isDamagedDatabaseError(error)) throw error;
    await fs.rm(file, { force: true });
    return { damaged: damagedReason(error) };
  }
}

/**
 * Copies a live database into the staging dir now (the copy starts its own read transaction): a database the walk
 * found by its header, whose name did not say it was one. Damaged: reported as such, see copyOrDamaged.
 */
export async function takeSnapshot(source: string, stagingDir: string): Promise<SnapshotOutcome> {
  return copyOrDamaged((file) => copyDatabase(source, file), source, stagingDir);
}

/** Runs integrity_check on a fresh copy (in the checker's worker); a copy that fails it is removed and reported damaged. */
async function checkedOrDamaged(outcome: SnapshotOutcome, source: string, checker: DatabaseChecker): Promise<SnapshotOutcome> {
  if (isDamaged(outcome)) return outcome;
  try {
    await checker.check(outcome.file, source);
    return { ...outcome, checked: true };
  } catch (error) {
    if (!isDamagedDatabaseError(error)) throw error;
    await fs.rm(outcome.file, { force: true });
    const message = (error as Error).message;
    const prefix = `database ${source} `;
    return { damaged: message.startsWith(prefix) ? message.slice(prefix.length) : message };
  }
}

/** A database as the snapshot phase left it: pinned (copied after the pause) or already copied. */
export interface HeldDatabase {
  source: string;
  pinned?: PinnedDatabase;
  copied?: SnapshotOutcome;
}

interface FindOptions {
  sources: BackupSource[];
  selection: Selection;
  excludeAbs: string[];
  signal?: AbortSignal | undefined;
  /** Filled with the selected files and their bytes as the walk goes: the totals progress reports against. */
  totals?: { files: number; bytes: number } | undefined;
}

export interface Survey {
  /** Every selected database (found by name, confirmed by header). */
  databases: string[];
  /** Selected files with holes on disk: candidates for the sparse format (the header's format version says so). */
  sparseFiles: Set<string>;
}

/** One walk before the pause: the databases to snapshot and the sparse files. It reads no database. */
export async function surveySources(options: FindOptions): Promise<Survey> {
  const survey: Survey = { databases: [], sparseFiles: new Set() };
  for (const source of options.sources) {
    const walk = walkTree(source.root.path, {
      skip: (rel) => source.neverArchived(rel),
      excludeAbs: options.excludeAbs,
      signal: options.signal,
    });
    for await (const entry of walk) {
      if (entry.kind !== 'file') continue;
      const database = SQLITE_NAME.test(entry.abs);
      if (!options.totals && !database && !mayBeSparse(entry.stat)) continue;
      const component = source.classify(entry.rel);
      if (!source.globPaths(entry.rel).some((p) => isSelected(options.selection, component, p))) continue;
      if (options.totals) {
        options.totals.files += 1;
        options.totals.bytes += entry.stat.size;
      }
      if (!database) {
        if (mayBeSparse(entry.stat)) survey.sparseFiles.add(entry.abs);
      } else if (await hasSqliteHeader(entry.abs).catch(() => false)) survey.databases.push(entry.abs);
    }
  }
  return survey;
}

/**
 * The snapshot phase, the only one that needs the gateway quiesced, so it does as little as it can: each database in
 * WAL mode is opened with a read transaction that fixes its snapshot (milliseconds; copied after the pause, see
 * SnapshotPipeline), any other is copied now, since a long reader there would block the gateway's writers. Finding
 * the databases happens before it; copying, integrity_check and hashing after it. A database deleted since it was
 * found is skipped (it is gone from the state).
 */
export async function holdDatabases(options: {
  databases: string[];
  stagingDir: string;
  signal?: AbortSignal | undefined;
}): Promise<HeldDatabase[]> {
  const held: HeldDatabase[] = [];
  try {
    for (const source of options.databases) {
      throwIfAborted(options.signal);
      if (
        !(await fs.access(source).then(
          () => true,
          () => false,
        ))
      )
        continue;
      let pinned: PinnedDatabase;
      try {
        pinned = pinDatabase(source);
      } catch (error) {
        if (!isDamagedDatabaseError(error)) throw error;
        held.push({ source, copied: { damaged: damagedReason(error) } });
        continue;
      }
      if (pinned.wal) held.push({ source, pinned });
      else held.push({ source, copied: await copyOrDamaged((file) => copyPinned(pinned, file), source, options.stagingDir) });
    }
  } catch (error) {
    releaseHeld(held);
    throw error;
  }
  return held;
}

function releaseHeld(held: HeldDatabase[]): void {
  for (const h of held) if (h.pinned) closePinned(h.pinned);
}

/**
 * After the pause, beside the archive stream: copies the pinned databases one after the other (the backup API runs on
 * the thread pool) and checks each copy in a worker as soon as it is made, so neither holds up the files streamed
 * meanwhile. A Map of the snapshots made so far (what a sink that reads them directly sees once settled());
 * outcome() is each one's promise, and the archive stores the databases after every other file (deferOnce).
 */
export class SnapshotPipeline extends Map<string, SnapshotOutcome> {
  private readonly pending = new Map<string, Promise<SnapshotOutcome>>();
  private readonly deferred = new Set<string>();
  private readonly checker: DatabaseChecker;
  private readonly done: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly held: HeldDatabase[],
    private readonly options: {
      stagingDir: string;
      signal?: AbortSignal | undefined;
      timings?: Timings | undefined;
      /** Run integrity_check on each copy (default); false leaves the check to whoever stores the snapshot. */
      check?: boolean;
      /** Runs the integrity checks (default: a worker thread); closed with the pipeline. */
      checker?: DatabaseChecker | undefined;
    },
  ) {
    super();
    this.checker = options.checker ?? new DatabaseChecker({ timings: options.timings });
    let copies: Promise<unknown> = Promise.resolve();
    let checks: Promise<unknown> = Promise.resolve();
    // Every check, settled: a failed copy settles its own check at once, while the check before it may still run.
    const allChecks: Promise<unknown>[] = [];
    for (const h of held) {
      const copied = copies.then(() => this.copy(h));
      copies = copied.catch(() => {});
      const checked = options.check === false ? copied : Promise.all([copied, checks]).then(([outcome]) => this.check(outcome, h.source));
      checks = checked.catch(() => {});
      allChecks.push(checks);
      const outcome = checked.then((made) => {
        this.set(h.source, made);
        return made;
      });
      outcome.catch(() => {}); // awaited by the archive; this only keeps a failure nobody waited for from being "unhandled"
      this.pending.set(h.source, outcome);
    }
    const checked = Promise.all(allChecks);
    this.done = Promise.all([copies, checked]);
    // The worker's memory (a V8 isolate, ~10 MB) goes as soon as every database is checked, not with the archive
    // (closing earlier stops a check still running: its database would fail with "database check stopped").
    void checked.then(() => this.checker.close());
  }

  /** The snapshot of a database held in the pause, once copied (and checked); undefined for any other file. */
  outcome(source: string): Promise<SnapshotOutcome> | undefined {
    return this.pending.get(source);
  }

  /** True the first time a held database is asked for: the archive stores it after every other file. */
  deferOnce(source: string): boolean {
    if (!this.pending.has(source) || this.deferred.has(source)) return false;
    this.deferred.add(source);
    return true;
  }

  /** Waits until every held database is copied (and checked); throws the first failure. */
  async settled(): Promise<void> {
    await Promise.all(this.pending.values());
  }

  /** Snapshots and checks a database found only now, by its header (its name did not say it was one). */
  async takeNow(source: string): Promise<SnapshotOutcome> {
    return checkedOrDamaged(await takeSnapshot(source, this.options.stagingDir), source, this.checker);
  }

  private async copy(h: HeldDatabase): Promise<SnapshotOutcome> {
    if (this.stopped || this.options.signal?.aborted) throw new InterruptedError();
    if (h.copied) return h.copied;
    const pinned = h.pinned as PinnedDatabase;
    const started = performance.now();
    try {
      return await copyOrDamaged((file) => copyPinned(pinned, file), h.source, this.options.stagingDir);
    } finally {
      this.options.timings?.add('dbCopy', performance.now() - started);
    }
  }

  private check(outcome: SnapshotOutcome, source: string): Promise<SnapshotOutcome> {
    if (this.stopped || this.options.signal?.aborted) throw new InterruptedError();
    return checkedOrDamaged(outcome, source, this.checker);
  }

  /** Stops after the copy in progress, releases what is still pinned and stops the checker. Safe to call twice. */
  async close(): Promise<void> {
    this.stopped = true;
    await this.checker.close();
    await this.done;
    releaseHeld(this.held);
  }
}
