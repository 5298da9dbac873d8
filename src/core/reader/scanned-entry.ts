import type { Component } from '../components.js';
import type { EntryKind } from './entry-guard.js';

/**
 * One accepted entry: its archive name, where it goes below a staging dir, and what it held. One of these stays in
 * memory per entry until the manifest (the last entry) has been matched, so it holds nothing bulky: no header object,
 * no buffers. The scan makes them as ScannedRecords (packed; see scanned-record.ts).
 */
export interface ScannedEntry {
  name: string;
  rel: string;
  kind: EntryKind;
  mode: number;
  /** Milliseconds since the epoch: a number, not a Date (a Date costs ~90 bytes, and one stays per entry). */
  mtimeMs: number | undefined;
  size: number;
  sha256?: string;
  database?: boolean;
  /** A database's content digest (schema and rows), with `digestDatabases`. */
  contentDigest?: string;
  /** Symlink target as stored. */
  target?: string;
  /** Hard link: the rel of the earlier file it links to. */
  linkRel?: string;
  /** Our format: the component the manifest records for it. */
  component?: Component;
  /** Our format: the manifest lists it. */
  listed?: boolean;
  /** Our format: the manifest flags it (a damaged database, or a file that only looks like one, stored raw). */
  flagged?: { kind: 'corrupt-database' | 'not-a-database'; reason: string };
  /** Stored in GNU tar's PAX sparse format 1.0: `size` is the stored size, `realSize` the file's. */
  sparse?: { realSize: number };
  /** Had holes where it was backed up: restore writes it sparse. */
  holes?: boolean;
}
