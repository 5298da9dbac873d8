import type { Duplex } from 'node:stream';
import type { Compression, EncryptSettings } from '../../config/schema.js';
import type { ArchiveEntriesResult } from '../archive/archive-entries.js';
import type { ProgressReporter, ProgressTotals } from '../progress.js';
import type { SnapshotOutcome } from '../archive/db-snapshots.js';
import type { ArchiveHeader, ManifestTotals } from '../archive/manifest.js';
import type { BackupSource } from '../archive/sources.js';
import type { ArchiveSource } from '../reader/source.js';
import type { Component, Selection } from '../components.js';
import type { DecryptionKey } from '../crypto/keys.js';
import type { VerifyProblem } from '../reader/scan-archive.js';

/**
 * Where backups live: one small interface, two implementations (an archive folder, a restic repository).
 * Catalog, retention, verify, restore, status, doctor and the daemon take a BackupStore and never ask which kind:
 * every member is there in both (a folder's checkStored, diagnose and find have nothing to add), and what differs
 * is said by the store (`noun`, PreparedWrite.databasesBeside, suspectAdvice), not by its kind.
 */
export interface BackupStore {
  /** What messages and the metrics call its backups. */
  readonly noun: 'archives' | 'snapshots';
  /** What to do about backups dated in the future here (doctor's fix): who can have written them, how to drop one. */
  readonly suspectAdvice: string;
  /** The backups dir, or the repository URL without credentials: what messages and `status` show. */
  readonly location: string;
  /** This state dir's and profile's backups, newest first. */
  list(options?: ListOptions): Promise<BackupListing>;
  /** The bytes of one backup, for verify, restore and the browse commands. */
  source(backup: StoredBackup): ArchiveSource;
  /**
   * Before a backup: creates what is missing, removes a dead writer's leftovers, says what the walk must skip, and
   * hands back the writer of this one backup (so there is no write before a prepare).
   */
  prepareWrite(context: WriteContext): Promise<PreparedWrite>;
  /**
   * Deletes these backups (retention). Only ever called with backups `list` returned. `reclaim`: when a store that
   * frees space in a separate, costly step (restic's prune) takes it — 'now' (the prune command), or 'due' (a
   * scheduled run: at most once a day).
   */
  remove(backups: StoredBackup[], options?: { reclaim?: 'now' | 'due' }): Promise<void>;
  /** The store's own check of a backup's stored data (e.g. `restic check`), before our verify of its content. */
  checkStored(backup: StoredBackup, signal?: AbortSignal): Promise<VerifyProblem[]>;
  /** How many backups, how big, the newest: what `status` and the metrics show. */
  stats(signal?: AbortSignal): Promise<StoreStats>;
  /** doctor's findings about the store itself (engine installed, reachable, credentials private). */
  diagnose(now: Date, signal?: AbortSignal): Promise<StoreFinding[]>;
  /**
   * Creates an empty repository (`repository init`, `create --init`); `created: false` when it already existed, or
   * in a dry run (nothing is done). An archive folder has none to create: a usage error.
   */
  init(options?: { signal?: AbortSignal | undefined; dryRun?: boolean | undefined }): Promise<{ created: boolean }>;
  /** A backup `list` does not show but the user may name (another host's snapshot, for a migration). */
  find(ref: string, signal?: AbortSignal): Promise<StoredBackup | undefined>;
}

export interface StoreStats {
  /** Which store: what `status --json` reports as archives.kind. */
  kind: 'folder' | 'restic';
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
  /** The state's id (src/core/identity/), made before a backup; absent for a dry run of a state that has none yet. */
  stateId?: string | undefined;
  /** The encryption settings in use and how their paths resolve (a store checks where key files live). */
  encrypt?: { settings: EncryptSettings | undefined; resolvePath: (file: string) => string } | undefined;
  /** Where the store's location came from, for messages: `backup.path`, `--output`, the default backups dir. */
  origin: string;
  warn: (message: string) => void;
}

export interface PreparedWrite {
  /** Where database snapshots are staged while the backup is written (private, ours, on the store's side). */
  scratchDir: string;
  /** Directories inside a source tree that the walk must not enter (the backups dir, a local repository). */
  excludeFromWalk: string[];
  /** The final name when it is known before writing (--output FILE). */
  name?: string | undefined;
  /** The compression the store needs inside (restic: none, since it compresses and deduplicates itself). */
  compression?: Compression | undefined;
  /**
   * Whether database snapshots are copied and checked beside the write (an archive stores them last) or all before
   * it (a repository's sink reads them as they are and checks them itself).
   */
  databasesBeside: boolean;
  /**
   * Writes this backup of the source trees: an archive file, or a snapshot restic reads from the trees themselves.
   * Nothing is visible under its final name or id until it is complete; a failure leaves nothing.
   */
  write(content: BackupContent): Promise<WrittenBackup>;
}

/** What one backup holds, planned by createBackup; the store writes it (BackupStore.write). */
export interface BackupContent {
  header: ArchiveHeader;
  sources: BackupSource[];
  selection: Selection;
  components: Component[];
  /** Database snapshots taken in the snapshot phase, by the live database's path. */
  snapshots: Map<string, SnapshotOutcome>;
  /** The private dir the snapshots are in (inside PreparedWrite.scratchDir). */
  stagingDir: string;
  /** Absolute paths the walk must not enter. */
  excludeAbs: string[];
  /** Files with holes (from the survey): an archive stores them in the sparse format. */
  sparseFiles: ReadonlySet<string>;
  /** The age stage after the compressor (an archive file only; a repository refuses age in prepareWrite). */
  encrypt: Duplex | undefined;
  followKey: string;
  signal?: AbortSignal | undefined;
  now: () => Date;
  onWarning: (message: string) => void;
  /** Reports each phase the store goes through ('backup': the walk; a repository adds 'repository'). */
  progress?: ProgressReporter | undefined;
  /** Files and bytes the survey found: what the walk's progress counts against. */
  totals: ProgressTotals;
  /** Throws when the walk found nothing to back up (checked before anything is published). */
  assertNotEmpty: (counted: ArchiveEntriesResult) => void;
  /** Per-phase timings and decisions at debug level. */
  debug: (fields: Record<string, unknown>, message: string) => void;
}

export interface WrittenBackup {
  stored: StoredBackup;
  /** The archive file's size, or what the repository added for this snapshot. */
  bytes: number;
  /** SHA-256 of the archive file; null for a snapshot (restic addresses its data by hash itself). */
  sha256: string | null;
  counted: ArchiveEntriesResult;
  totals: ManifestTotals;
  /**
   * The entries whose content this backup read from disk (the rest a repository already held unchanged): what the
   * run's verify reads back. Undefined: everything (an archive file is verified whole).
   */
  fresh: string[] | undefined;
}
