import type { Stats } from 'node:fs';
import type { Component } from '../components.js';
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

/** A regular file the walk selected for the backup. */
export interface WalkedFile {
  abs: string;
  /** Its archive entry. */
  name: string;
  component: Component;
  /** The walk's lstat; undefined when the sink takes the metadata from the open file (EntrySink.statsOwnFiles). */
  stat: Stats | undefined;
}

/** A file's manifest fields from one of its stats (the walk's lstat, or the fstat of the read that stored it). */
export function fileBaseOf(file: Pick<WalkedFile, 'name' | 'component'>, stat: Stats): FileBase {
  return { path: file.name, component: file.component, mode: stat.mode & 0o7777, mtimeMs: Math.trunc(stat.mtimeMs) };
}

/** A file's tar header fields from one of its stats. */
export function entryMetaOf(stat: Stats): EntryMeta {
  return { mode: stat.mode, mtime: stat.mtimeMs, uid: stat.uid, gid: stat.gid };
}

/**
 * Where the walk puts what it selected (archive-entries.ts): the archive writer of a folder store, or a repository's
 * record of what restic must read and leave out. The walk decides what a backup holds; the sink how it is stored.
 */
export interface EntrySink {
  addDirectory(name: string, meta: EntryMeta): Promise<void>;
  addSymlink(name: string, target: string, meta: EntryMeta): Promise<void>;
  /** Stores one regular file (a database as its snapshot) and records it in the manifest; undefined when it vanished. */
  storeFile(file: WalkedFile): Promise<Stored | undefined>;
  /**
   * The sink stats each file itself as it opens it (and takes every field from that): the walk need not lstat
   * regular files, and storeFile gets them with `stat` undefined.
   */
  readonly statsOwnFiles?: true;
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
