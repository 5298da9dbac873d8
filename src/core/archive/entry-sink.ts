import type { EntryMeta } from './archive-writer.js';
import type { FileFlag, ManifestEntry, ManifestTotals } from './manifest.js';

/** What one stored file added to the archive: a damaged database brings its side files along. */
export interface Stored {
  bytes: number;
  files: number;
  /**
   * Nothing stored yet: the sink wants this file again after every other one (a database whose snapshot is still
   * being copied and checked beside the stream, db-snapshots.ts); the walk asks once more at its end.
   */
  deferred?: true;
}

/** A file stored raw and flagged in the manifest: the create result, verify and restore all name it. */
export interface FlaggedFile {
  /** The file on disk. */
  path: string;
  /** Its archive entry. */
  entry: string;
  kind: FileFlag['kind'];
  reason: string;
}

export type FileBase = Omit<Extract<ManifestEntry, { type: 'file' }>, 'type' | 'size' | 'sha256'>;

/**
 * Where the walk puts what it selected (archive-entries.ts): the archive writer of a folder store, or a repository's
 * record of what restic must read and leave out. The walk decides what a backup holds; the sink how it is stored.
 */
export interface EntrySink {
  addDirectory(name: string, meta: EntryMeta): Promise<void>;
  addSymlink(name: string, target: string, meta: EntryMeta): Promise<void>;
  /** Stores one regular file (a database as its snapshot) and records it in the manifest; undefined when it vanished. */
  storeFile(abs: string, name: string, base: FileBase, meta: EntryMeta): Promise<Stored | undefined>;
  /** A path inside a source tree the backup leaves out (and everything below it). */
  skip(abs: string): void;
  /** Files stored raw although they look like databases. */
  readonly flagged: FlaggedFile[];
}

/** The manifest as the walk fills it: one entry per stored path, the warnings and the totals. */
export interface ManifestSink {
  add(entry: ManifestEntry): Promise<void>;
  readonly totals: ManifestTotals;
  readonly warnings: string[];
  readonly externalSymlinks: string[];
}
