import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { isSelected, type Component, type Selection } from '../components.js';
import { throwIfAborted } from '../../errors.js';
import { entryMetaOf, fileBaseOf, type EntrySink, type ManifestSink, type WalkedFile } from './entry-sink.js';
import { describeOutsideLink, findOutsideLink } from './outside-links.js';
import { entryName, type BackupSource } from './sources.js';
import type { FlaggedFile } from './store-file.js';
import { currentTimings, type Timings } from './timings.js';
import { isVanished, walkTree, type WalkEntry } from './walk.js';

export interface ArchiveProgress {
  files: number;
  bytes: number;
  current: string;
}

export interface ArchiveEntriesOptions {
  sources: BackupSource[];
  selection: Selection;
  /** Absent in a dry run: entries are counted, nothing is read or written. */
  sink: EntrySink | undefined;
  manifest: ManifestSink | undefined;
  excludeAbs: string[];
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: ArchiveProgress) => void) | undefined;
  onWarning?: ((message: string) => void) | undefined;
  /** The config key that follows links, for the hint in the warning about a link leading out of the backup. */
  followKey?: string;
  /** Where the walk's time is added up (default: the run's, see timings.ts). */
  timings?: Timings | undefined;
}

export interface ArchiveEntriesResult {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
  components: Set<Component>;
  /** Files stored raw although they look like databases (damaged, or not SQLite at all). */
  flagged: FlaggedFile[];
  /** Dry run only: what each component would contribute. */
  byComponent: Partial<Record<Component, { files: number; bytes: number }>>;
}

function ancestors(rel: string): string[] {
  if (rel === '') return [];
  const out = [''];
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i += 1) out.push(parts.slice(0, i).join('/'));
  return out;
}

/** Walks every source and archives the selected entries, parents before children, databases as snapshots. */
export async function archiveEntries(options: ArchiveEntriesOptions): Promise<ArchiveEntriesResult> {
  const result: ArchiveEntriesResult = {
    files: 0,
    directories: 0,
    symlinks: 0,
    bytes: 0,
    components: new Set(),
    flagged: [],
    byComponent: {},
  };
  const { sink, manifest } = options;
  const warn = (message: string) => {
    manifest?.warnings.push(message);
    options.onWarning?.(message);
  };
  const rootPaths = options.sources.map((s) => s.root.path);
  const rootReals = [...rootPaths, ...(await Promise.all(rootPaths.map((p) => fs.realpath(p).catch(() => p))))];
  const followKey = options.followKey ?? 'backup.followLinks';
  const timings = options.timings ?? currentTimings();
  /** Files the sink stores after the walk (databases whose snapshots are made beside the stream: Stored.deferred). */
  const later: WalkedFile[] = [];
  const storeOne = async (file: WalkedFile): Promise<void> => {
    // Without a sink (a dry run) the walk lstat'ed every file.
    const size = file.stat?.size ?? 0;
    const stored = sink ? await sink.storeFile(file) : { bytes: size, files: 1 };
    if (stored === undefined) return;
    if (stored.deferred) {
      later.push(file);
      return;
    }
    result.files += stored.files;
    result.bytes += stored.bytes;
    if (!sink) {
      const tally = (result.byComponent[file.component] ??= { files: 0, bytes: 0 });
      tally.files += 1;
      tally.bytes += size;
    }
    options.onProgress?.({ files: result.files, bytes: result.bytes, current: file.name });
  };

  for (const source of options.sources) {
    const pending = new Map<string, WalkEntry>();
    const emitted = new Set<string>();

    const emitDirectory = async (entry: WalkEntry) => {
      const name = entryName(source.root, entry.rel);
      const component = source.classify(entry.rel);
      await sink?.addDirectory(name, entryMetaOf(entry.stat));
      await manifest?.add({
        path: name,
        type: 'directory',
        component,
        mode: entry.stat.mode & 0o7777,
        mtimeMs: Math.trunc(entry.stat.mtimeMs),
      });
      emitted.add(entry.rel);
      pending.delete(entry.rel);
      result.directories += 1;
    };
    const emitAncestors = async (rel: string) => {
      // A directory is only emitted after its own ancestors: with the parent out, so are they all (the common case,
      // checked without building every ancestor's path for every file).
      const slash = rel.lastIndexOf('/');
      if (rel !== '' && emitted.has(slash === -1 ? '' : rel.slice(0, slash))) return;
      for (const dir of ancestors(rel)) {
        const entry = pending.get(dir);
        if (entry && !emitted.has(dir)) await emitDirectory(entry);
      }
    };

    const walk = walkTree(source.root.path, {
      skip: (rel) => source.neverArchived(rel),
      excludeAbs: options.excludeAbs,
      onVanished: (abs) => warn(`${abs} vanished while it was backed up; skipped`),
      onSkip: (abs) => sink?.skip(abs),
      signal: options.signal,
      timings,
      lstatFiles: sink?.statsOwnFiles !== true,
    });
    for await (const entry of walk) {
      throwIfAborted(options.signal);
      const component = source.classify(entry.rel);
      const selected = source.globPaths(entry.rel).some((p) => isSelected(options.selection, component, p));
      if (entry.kind === 'other') {
        if (selected) warn(`skipped ${entry.abs}: not a regular file, directory or symlink`);
        sink?.skip(entry.abs);
        continue;
      }
      if (entry.kind === 'directory') {
        pending.set(entry.rel, entry);
        if (selected) {
          await emitAncestors(entry.rel);
          await emitDirectory(entry);
        }
        continue;
      }
      if (!selected) {
        sink?.skip(entry.abs);
        continue;
      }
      await emitAncestors(entry.rel);
      result.components.add(component);
      const name = entryName(source.root, entry.rel);

      if (entry.kind === 'symlink') {
        const target = await fs.readlink(entry.abs).catch((error: unknown) => {
          if (isVanished(error)) return undefined;
          throw error;
        });
        if (target === undefined) {
          warn(`${entry.abs} vanished while it was backed up; skipped`);
          continue;
        }
        const resolved = path.resolve(path.dirname(entry.abs), target);
        const external = !rootPaths.some((root) => isInside(root, resolved));
        const outside = external ? await findOutsideLink(source, entry.abs, entry.rel, target, rootReals) : undefined;
        if (outside) {
          warn(
            `${describeOutsideLink(outside)} (a symlink to a directory outside the backup is stored as a link; to back up what it points to, add it to ${followKey}: ["${outside.name}"])`,
          );
        }
        await sink?.addSymlink(name, target, entryMetaOf(entry.stat));
        await manifest?.add({ ...fileBaseOf({ name, component }, entry.stat), type: 'symlink', target, external });
        result.symlinks += 1;
        continue;
      }

      await storeOne({ abs: entry.abs, name, component, stat: entry.stat });
    }
    // Directories no selected entry was found in are left out whole.
    for (const [rel, entry] of pending) if (!emitted.has(rel)) sink?.skip(entry.abs);
  }
  // Asked again, a deferred file is stored (waiting for its snapshot if it must).
  for (const file of later.splice(0)) {
    throwIfAborted(options.signal);
    const stored = sink ? await sink.storeFile(file) : undefined;
    if (stored?.deferred) throw new Error(`${file.abs} was deferred twice`);
    if (stored === undefined) continue;
    result.files += stored.files;
    result.bytes += stored.bytes;
    options.onProgress?.({ files: result.files, bytes: result.bytes, current: file.name });
  }
  if (sink) result.flagged = sink.flagged;
  return result;
}
