/*
 * The reader module: any backup as one stream of checked entries. ArchiveSource.openEntries() reads our archives,
 * repository snapshots (through the store's source), OpenClaw's native archives and hand-made tars; the checks
 * (entry guard, sizes, SHA-256 against the manifest) live here, and verify is this reader run to the end. Restore,
 * browse and sessions read only through it.
 */
import type { EntryStream, OpenEntriesOptions } from './entry-stream.js';
import { openTarEntries } from './tar-entries.js';
import { fileBytes } from './byte-source.js';

export { countReads, readHead, type ByteSource } from './byte-source.js';

/**
 * A backup to read, wherever it is: an archive file, or a snapshot in a repository (src/core/store/). Verify,
 * restore, the browse commands and sessions read through this (entry-stream.ts) and never ask which it is.
 */
export interface ArchiveSource {
  /** What messages and results call it: the file's path, or e.g. "snapshot 1a2b3c4d in /srv/restic". */
  readonly label: string;
  /** The backup's entries in archive order (see EntryStream). */
  openEntries(options?: OpenEntriesOptions): Promise<EntryStream>;
}

/** An archive file: its tar entries, after decryption and decompression. */
export function fileSource(file: string): ArchiveSource {
  const bytes = fileBytes(file);
  return { label: file, openEntries: (options = {}) => openTarEntries(bytes, options) };
}

/** A path, or a source. */
export type ArchiveInput = string | ArchiveSource;

export function toSource(input: ArchiveInput): ArchiveSource {
  return typeof input === 'string' ? fileSource(input) : input;
}

export function labelOf(input: ArchiveInput): string {
  return typeof input === 'string' ? input : input.label;
}
