import type { Compression } from '../../config/schema.js';
import type { Component } from '../components.js';
import type { ManifestTotals } from '../archive/manifest.js';
import type { ArchiveFormat } from '../reader/archive-layout.js';

/** One entry of a backup as the browse commands show it. */
export interface IndexEntry {
  /** Relative to the state dir ("workspace/MEMORY.md"); absolute for a root that lived outside it. */
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'link';
  size: number;
  mode: number;
  /** ISO time, or null when the archive does not say. */
  mtime: string | null;
  /** null when it cannot be known (a foreign archive's entry outside every root). */
  component: Component | null;
  /** Our archives only. */
  sha256?: string;
  database?: boolean;
  target?: string;
}

/** What a backup holds, from its header and manifest (or tar headers): everything `ls`, `find`, `diff`, `info` read. */
export interface BackupIndex {
  archive: string;
  format: ArchiveFormat;
  encrypted: boolean;
  compression: Compression;
  /** What it takes where it is stored (the file; what restic keeps for a snapshot); null when unknown. */
  storedBytes: number | null;
  createdAt: string | null;
  completedAt: string | null;
  host: string | null;
  profile: string | null;
  stateDir: string | null;
  openclawVersion: string | null;
  components: Component[] | null;
  entries: IndexEntry[];
  totals: ManifestTotals;
  warnings: string[];
}
