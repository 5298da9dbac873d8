import type { Component } from '../components.js';
import type { Compression } from '../../config/schema.js';

/** Archive layout: see docs/archive-format.md. */
export const FORMAT_NAME = 'openclaw-backup';
/** The newest format version this tool reads. */
export const FORMAT_VERSION = 2;

/**
 * Version 2 only adds sparse entries (GNU PAX sparse 1.0, see docs/archive-format.md), which a version-1 reader
 * would restore as their raw map + data: an archive holding one says 2, every other archive stays 1.
 */
export function formatVersionFor(content: { sparse: boolean }): number {
  return content.sparse ? 2 : 1;
}
export const ARCHIVE_ROOT = 'openclaw-backup';
export const HEADER_PATH = `${ARCHIVE_ROOT}/header.json`;
export const MANIFEST_PATH = `${ARCHIVE_ROOT}/manifest.json`;
export const STATE_PREFIX = `${ARCHIVE_ROOT}/state`;
export const EXTERNAL_PREFIX = `${ARCHIVE_ROOT}/external`;

export interface SourceRoot {
  /** "state", or "external-1", "external-2", … */
  id: string;
  /** Absolute path on the machine that made the archive, with every symlink resolved: where the content was read. */
  path: string;
  /** The path the user named (flag, config or default) when it is, or passes through, a symlink to `path`. */
  linkPath?: string;
  /** Archive path prefix, e.g. openclaw-backup/state. */
  archivePath: string;
  role: 'state' | 'workspace' | 'agentDir' | 'config' | 'linkTarget';
  agentId?: string;
  /** role linkTarget: the symlink (absolute, on the machine that made the archive) named in backup.followLinks. */
  link?: string;
}

/** Everything known before the first file is read: the first entry of every archive. */
export interface ArchiveHeader {
  format: typeof FORMAT_NAME;
  formatVersion: number;
  tool: { name: string; version: string; node: string };
  createdAt: string;
  host: { hostname: string; platform: string; user: string; uid: number | null; home: string };
  profile: string;
  /** The state's id (src/core/identity/): the series the backup belongs to; a restore carries it. Absent before ids. */
  stateId?: string;
  stateDir: string;
  configPath: string;
  openclawVersion: string | null;
  components: Component[];
  /** The globs of backup.include/exclude this archive was made with (restore carries over what they left out). */
  selection?: { include: string[]; exclude: string[] };
  compression: Compression;
  roots: SourceRoot[];
}

export type ManifestEntry =
  | { path: string; type: 'directory'; component: Component; mode: number; mtimeMs: number }
  | {
      path: string;
      type: 'file';
      component: Component;
      mode: number;
      mtimeMs: number;
      size: number;
      sha256: string;
      /** Present for SQLite databases, which are stored as online-backup snapshots. */
      sqlite?: { snapshot: true; integrity: 'ok'; pages: number };
      /** Stored byte for byte although its name or header says database: see FlaggedFile. */
      flagged?: FileFlag;
      /** Stored in GNU tar's PAX sparse format 1.0 (size/sha256 are of the stored map + data): see docs. */
      sparse?: { realSize: number };
      /**
       * Repository snapshots only: the content is in the snapshot's own files dir, not at the root's path (a file
       * that kept changing while read, a damaged database's raw copy). A database snapshot always is.
       */
      staged?: true;
      /** Repository snapshots only: the file had holes on disk (restore writes it sparse again). */
      holes?: true;
    }
  | { path: string; type: 'symlink'; component: Component; mode: number; mtimeMs: number; target: string; external: boolean };

/**
 * Why a file is stored as a raw copy instead of a snapshot. `corrupt-database`: it has a SQLite header but could
 * not be opened, copied or failed PRAGMA integrity_check (its -wal/-journal are stored raw beside it, flagged the
 * same way). `not-a-database`: named like a database (.sqlite, .sqlite3, .db) but without a SQLite header.
 */
export interface FileFlag {
  kind: 'corrupt-database' | 'not-a-database';
  reason: string;
}

export interface ManifestTotals {
  files: number;
  directories: number;
  symlinks: number;
  databases: number;
  bytes: number;
}

/** The last entry of every archive: the header again, every entry with its hash, and totals. */
export interface Manifest extends ArchiveHeader {
  completedAt: string;
  entries: ManifestEntry[];
  totals: ManifestTotals;
  /** Symlinks whose target leaves the backed-up roots (stored as links, not followed). */
  externalSymlinks: string[];
  /** Files that kept changing while read; stored from the last stable read (see warnings). */
  warnings: string[];
  /** SHA-256 of the header.json entry's bytes, so the header is covered like every other entry (absent in older archives). */
  headerSha256?: string;
}

/** The bytes of the header.json entry: what create stores and what the manifest's headerSha256 is of. */
export function encodeHeader(header: ArchiveHeader): Buffer {
  return Buffer.from(`${JSON.stringify(header, null, 2)}\n`);
}

export function emptyTotals(): ManifestTotals {
  return { files: 0, directories: 0, symlinks: 0, databases: 0, bytes: 0 };
}
