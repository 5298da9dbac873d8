import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Compression } from '../../config/schema.js';
import type { ArchiveSource } from '../archive/source.js';
import type { Component } from '../components.js';
import type { DecryptionKey } from '../crypto/keys.js';
import type { VerifyProblem } from '../verify/scan-archive.js';

/**
 * Where backups live: one small interface, two implementations (an archive folder, a restic repository).
 * Catalog, retention, verify, restore, status, doctor and the daemon take a BackupStore and never ask which kind.
 */
export interface BackupStore {
  readonly kind: 'folder' | 'restic';
  /** The backups dir, or the repository URL without credentials: what messages and `status` show. */
  readonly location: string;
  /** This state dir's and profile's backups, newest first. */
  list(options?: ListOptions): Promise<BackupListing>;
  /** The bytes of one backup, for verify, restore and the browse commands. */
  source(backup: StoredBackup): ArchiveSource;
  /** Before a backup: creates what is missing, removes a dead writer's leftovers, says what the walk must skip. */
  prepareWrite(context: WriteContext): Promise<PreparedWrite>;
  /** Starts a new backup; `create` streams the archive into the draft, then commits or aborts it. */
  begin(meta: NewBackup): Promise<BackupDraft>;
  /** Deletes these backups (retention). Only ever called with backups `list` returned. */
  remove(backups: StoredBackup[]): Promise<void>;
  /** The store's own check of a backup's stored data (e.g. `restic check`), before our verify of its content. */
  checkStored?(backup: StoredBackup, signal?: AbortSignal): Promise<VerifyProblem[]>;
  /** How many backups, how big, the newest: what `status` and the metrics show. */
  stats?(signal?: AbortSignal): Promise<StoreStats>;
  /** doctor's findings about the store itself (engine installed, reachable, credentials private). */
  diagnose?(now: Date, signal?: AbortSignal): Promise<StoreFinding[]>;
  /** Creates an empty store (`repository init`, `create --init`); `created: false` when it already existed. */
  init?(signal?: AbortSignal): Promise<{ created: boolean }>;
  /** A backup `list` does not show but the user may name (another host's snapshot, for a migration). */
  find?(ref: string, signal?: AbortSignal): Promise<StoredBackup | undefined>;
}

export interface StoreStats {
  kind: BackupStore['kind'];
  location: string;
  /** This state's backups (archives, or snapshots). */
  count: number;
  /** Their summed size as archives. */
  bytes: number;
  /** What they take in the store after deduplication and compression, when the store knows (restic). */
  storedBytes: number | null;
  newest: (Pick<StoredBackup, 'archive' | 'createdAt'> & Partial<Pick<StoredBackup, 'snapshot' | 'bytes'>>) | null;
  /** This state's backups dated in the future: not counted (see BackupListing.suspect). */
  suspect?: StoredBackup[] | undefined;
}

/** The shape of a doctor finding, so the store can report without knowing doctor. */
export interface StoreFinding {
  id: string;
  level: 'ok' | 'warn' | 'error';
  message: string;
  fix?: string;
}

/** One backup in a store: an archive file, or a restic snapshot holding one. */
export interface StoredBackup {
  /** What names it to the user and in records: the archive's path, or the short snapshot id. */
  archive: string;
  createdAt: string;
  /** Stored size: the file's size, or the snapshot's archive size. */
  bytes: number;
  /** null when unknown without decrypting (an encrypted archive listed by name). */
  components: Component[] | null;
  encrypted: boolean;
  profile: string;
  /** "header": confirmed by the header entry inside; "name": an encrypted archive, known by its name only; "tags": a snapshot's tags. */
  recognisedBy: 'header' | 'name' | 'tags';
  /** Why an encrypted archive's header could not be read with the key given (list --details). */
  unreadable?: string;
  /** restic: the full snapshot id and the repository (no credentials). */
  snapshot?: string;
  repository?: string;
  /** The state the backup belongs to (a snapshot's `state:` tag, an archive header's stateId); absent before state ids. */
  stateId?: string | undefined;
  /** The host that made it, as it said: a label, never a scope (hostnames change and are shared). */
  hostname?: string | undefined;
  /** restic: the snapshot carries no size (`bytes:` tag): `bytes` is 0 for want of one, not an empty backup. */
  sizeUnknown?: boolean | undefined;
  /** Why it is not counted: dated in the future. Set on a listing's `suspect` entries only. */
  suspect?: string | undefined;
}

/** One state whose backups a repository holds (a repository-wide listing). */
export interface StateSummary {
  /** null: snapshots made before state ids, grouped by host, profile and path. */
  stateId: string | null;
  hostnames: string[];
  profiles: string[];
  count: number;
  newest: Pick<StoredBackup, 'archive' | 'createdAt'> | null;
}

/**
 * Whose backups a listing holds: this state's (its series), or every state's in the repository, either because this
 * state has none there (a new machine) or because --host, --state-id or --profile chose among them.
 */
export type ListingScope =
  { kind: 'state'; stateId: string | undefined } | { kind: 'repository'; why: 'no-series' | 'selected'; states: StateSummary[] };

/** --host, --state-id, --profile: which state's snapshots a command reads, in a repository several states share. */
export interface SeriesSelector {
  stateId?: string | undefined;
  hostname?: string | undefined;
  profile?: string | undefined;
}

export interface ListOptions {
  /** list --details: decrypt encrypted archives' headers with this key. Never used for retention. */
  decrypt?: DecryptionKey | undefined;
  /**
   * Reading, not counting (list, and what `latest` or a date names): when this state has no backups in a repository,
   * show every state's instead (a new machine), and honour `select`. Retention, status and doctor never set it.
   */
  browse?: boolean | undefined;
  select?: SeriesSelector | undefined;
  /** What "in the future" is measured against (tests); default now. */
  now?: Date | undefined;
}

export interface BackupListing {
  location: string;
  /** Newest first; never one dated in the future (see `suspect`). */
  archives: StoredBackup[];
  /** Backup-looking things that are not ours to count or delete, with why. */
  ignored: { file: string; reason: string }[];
  /**
   * Backups dated in the future (beyond the clock skew tolerated): never latest, never counted by retention or
   * freshness, shown flagged. Anyone with a repository's password can write a snapshot with any date.
   */
  suspect?: StoredBackup[];
  /** restic: whose snapshots these are. */
  scope?: ListingScope;
}

export interface WriteContext {
  stateDir: string;
  /** Absolute paths of every tree the backup walks. */
  sourceRoots: string[];
  /** false for a dry run: check only, create nothing. */
  create: boolean;
  /** The archive will be age-encrypted (an explicit file name must then end in .age). */
  encrypted: boolean;
}

export interface PreparedWrite {
  /** Where database snapshots and the manifest are staged while the archive is written (private, ours). */
  scratchDir: string;
  /** Directories inside a source tree that the walk must not enter (the backups dir, a local repository). */
  excludeFromWalk: string[];
  /** The final name when it is known before writing (--output FILE). */
  name?: string | undefined;
  /** The compression the store needs inside (restic: none, since it compresses and deduplicates itself). */
  compression?: Compression | undefined;
}

export interface NewBackup {
  profile: string;
  /** The state's id (src/core/identity/): a repository tags the snapshot with it. */
  stateId?: string | undefined;
  createdAt: Date;
  compression: Compression;
  encrypted: boolean;
  /** What the archive will hold (a repository tags its snapshot with it). */
  components?: Component[];
}

export interface BackupDraft {
  /**
   * Where the archive bytes go: an open file (fsynced and closed by the writer) or a stream such as a child's
   * stdin. The writer finishes it; nothing is visible until commit.
   */
  readonly target: FileHandle | Writable;
  /** Makes the written backup exist under its final name or id; says what the store knows of it beyond that. */
  commit(): Promise<Pick<StoredBackup, 'archive'> & Partial<Pick<StoredBackup, 'snapshot' | 'repository' | 'bytes'>>>;
  /** Throws away what was written, after a failure or an abort. */
  abort(): Promise<void>;
}
