import type { Compression } from '../../config/schema.js';
import type { DecryptionKey } from '../crypto/keys.js';

/**
 * The reading seam: every backup, whatever holds it, is read as entries in archive order — our header document
 * first, then the trees (a directory before its contents), our manifest document last. An archive file yields its
 * tar entries; a repository snapshot yields the files restic restored, named as the manifest names them. Verify,
 * restore, the browse commands and sessions read through this and never ask which store holds the backup.
 */
export interface EntryHeader {
  name: string;
  /** tar's entry types: file, directory, symlink, link, and the kinds readers refuse. */
  type: string | null | undefined;
  size?: number | undefined;
  mode?: number | undefined;
  mtime?: Date | undefined;
  linkname?: string | null | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
  pax?: unknown;
  /** The file had holes where it was backed up (a repository snapshot): a writer may skip its zero blocks. */
  holes?: boolean | undefined;
}

export interface SourceEntry extends AsyncIterable<Buffer> {
  readonly header: EntryHeader;
  /** Skips the entry's data. */
  resume(): void;
}

/** What a store says of a manifest entry it could not give back as hashed (not a sign of damage). */
export type EntryNote =
  /** The file changed between our hashing and the store's read of it: the store holds the later version. */
  | { kind: 'changed'; reason: string }
  /** The file vanished between our walk and the store's read of it: the store holds nothing for it. */
  | { kind: 'vanished'; reason: string };

export interface EntryStream extends AsyncIterable<SourceEntry> {
  readonly compression: Compression;
  /** age-encrypted (an archive file); a repository encrypts by itself and says false. */
  readonly encrypted: boolean;
  /** Bytes that progress counts against (the stored size), when known. */
  readonly size: number | undefined;
  /**
   * What the backup takes where it is stored: an archive file's size; for a snapshot, the data restic keeps for it
   * after compression and deduplication (shared with other snapshots). Asked for only by `info` (it costs a query).
   */
  storedBytes(): Promise<number | undefined>;
  /** After the last entry: the backup ended where its format says it ends (tar's end-of-archive blocks). */
  complete(): boolean;
  /** A PAX global header came before the entry just yielded (a tar archive only). */
  sawGlobalHeader(): boolean;
  /**
   * A flaw in the format's own structure that its parser passed over, seen so far (a tar archive's malformed PAX
   * records, which GNU tar refuses): the backup is not readable by the tools it promises.
   */
  malformed?(): string | undefined;
  /** Manifest entries the store holds differently from how they were hashed, by archive name: flagged, not problems. */
  readonly notes: ReadonlyMap<string, EntryNote>;
  /** Stops reading and removes whatever the stream materialized. Idempotent. */
  close(): Promise<void>;
}

/** Which entries a reader wants, by archive name; the documents always come. Directories on the way come too. */
export type EntrySelect = (name: string) => boolean;

export interface OpenEntriesOptions {
  /** Identity or passphrase for an age-encrypted archive. */
  decrypt?: DecryptionKey | undefined;
  /** Bytes read so far of `size`, for progress. */
  onRead?: ((bytes: number) => void) | undefined;
  signal?: AbortSignal | undefined;
  /**
   * An existing private directory a store that must materialize the backup (restic restores files) may use, on the
   * filesystem the caller writes to (restore passes its staging dir). Default: a private dir the stream removes.
   */
  scratch?: string | undefined;
  /** Only these entries are needed: a store may skip the others unread (an archive file is read whole anyway). */
  select?: EntrySelect | undefined;
  /** Only the header and manifest documents are needed (the browse commands). */
  documentsOnly?: boolean | undefined;
}
