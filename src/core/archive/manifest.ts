import type { Component } from '../components.js';
import type { Compression } from '../../config/schema.js';

/** Archive layout: see docs/archive-format.md. */
export const FORMAT_NAME = 'openclaw-backup';
export const FORMAT_VERSION = 1;
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
  role: 'state' | 'workspace' | 'agentDir' | 'config';
  agentId?: string;
}

/** Everything known before the first file is read: the first entry of every archive. */
export interface ArchiveHeader {
  format: typeof FORMAT_NAME;
  formatVersion: number;
  tool: { name: string; version: string; node: string };
  createdAt: string;
  host: { hostname: string; platform: string; user: string; uid: number | null; home: string };
  profile: string;
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
    }
  | { path: string; type: 'symlink'; component: Component; mode: number; mtimeMs: number; target: string; external: boolean };

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
}

export function emptyTotals(): ManifestTotals {
  return { files: 0, directories: 0, symlinks: 0, databases: 0, bytes: 0 };
}
