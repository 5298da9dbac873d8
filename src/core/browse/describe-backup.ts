import type { BackupIndex } from './index-types.js';

export interface BackupInfo {
  archive: string;
  format: BackupIndex['format'];
  createdAt: string | null;
  host: string | null;
  profile: string | null;
  stateDir: string | null;
  openclawVersion: string | null;
  components: BackupIndex['components'];
  files: number;
  directories: number;
  symlinks: number;
  databases: number;
  /** Sum of the file sizes inside. */
  contentBytes: number;
  /** As stored (compressed, encrypted; deduplicated in a repository); null when unknown. */
  storedBytes: number | null;
  /** storedBytes / contentBytes, or null when either is unknown. */
  ratio: number | null;
  /** From the first entry written to the manifest (ours only). */
  durationMs: number | null;
  compression: BackupIndex['compression'];
  encrypted: boolean;
  warnings: string[];
}

/** The summary `info` prints: who made the backup, when, of what, and how big it is. */
export function describeBackup(index: BackupIndex): BackupInfo {
  const { totals } = index;
  const started = index.createdAt ? Date.parse(index.createdAt) : NaN;
  const finished = index.completedAt ? Date.parse(index.completedAt) : NaN;
  return {
    archive: index.archive,
    format: index.format,
    createdAt: index.createdAt,
    host: index.host,
    profile: index.profile,
    stateDir: index.stateDir,
    openclawVersion: index.openclawVersion,
    components: index.components,
    files: totals.files,
    directories: totals.directories,
    symlinks: totals.symlinks,
    databases: totals.databases,
    contentBytes: totals.bytes,
    storedBytes: index.storedBytes,
    ratio: index.storedBytes !== null && index.storedBytes > 0 && totals.bytes > 0 ? index.storedBytes / totals.bytes : null,
    durationMs: Number.isFinite(started) && Number.isFinite(finished) ? finished - started : null,
    compression: index.compression,
    encrypted: index.encrypted,
    warnings: index.warnings,
  };
}
