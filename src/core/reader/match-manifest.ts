import type { EntryNote, EntrySelect } from './entry-stream.js';
import type { ManifestEntry } from '../archive/manifest.js';
import type { Component } from '../components.js';
import { isObject } from '../is-object.js';

/** What the scan kept of an entry (scan-archive.ts's ScannedEntry, without an import cycle). */
interface SeenEntry {
  kind: string;
  size: number;
  sha256?: string;
  sparse?: { realSize: number };
  target?: string;
  component?: Component;
  listed?: boolean;
  flagged?: { kind: 'corrupt-database' | 'not-a-database'; reason: string };
}

/** A manifest entry the store holds differently from how it was hashed (see EntryNote): reported, not a problem. */
export interface NotedEntry {
  path: string;
  kind: EntryNote['kind'];
  reason: string;
}

export interface MatchContext {
  /** Entries a partial read left out on purpose: absent without a problem. */
  select?: EntrySelect | undefined;
  /** What the store says of entries it could not give back as hashed. */
  notes?: ReadonlyMap<string, EntryNote> | undefined;
  /** Filled with the notes that explained a difference. */
  noted?: NotedEntry[] | undefined;
}

/**
 * Checks one manifest entry, as it streams past, against the entry the archive held under its path: present, same
 * type, size, SHA-256 and symlink target. Marks that entry as listed and records its component.
 */
export function matchManifestEntry(
  entries: Map<string, SeenEntry>,
  value: unknown,
  problems: Array<{ path: string; reason: string }>,
  context: MatchContext = {},
): void {
  if (!isObject(value) || typeof value.path !== 'string') {
    problems.push({ path: 'openclaw-backup/manifest.json', reason: 'a manifest entry has no path' });
    return;
  }
  const expected = value as unknown as ManifestEntry;
  const got = entries.get(expected.path);
  const note = context.notes?.get(expected.path);
  if (!got) {
    if (note?.kind === 'vanished') context.noted?.push({ path: expected.path, ...note });
    else if (!context.select || context.select(expected.path))
      problems.push({ path: expected.path, reason: 'in the manifest but missing from the archive' });
    return;
  }
  got.listed = true;
  if (typeof expected.component === 'string') got.component = expected.component;
  const flag = (value as { flagged?: { kind?: unknown; reason?: unknown } }).flagged;
  if (isObject(flag) && (flag.kind === 'corrupt-database' || flag.kind === 'not-a-database')) {
    got.flagged = { kind: flag.kind, reason: typeof flag.reason === 'string' ? flag.reason : '' };
  }
  if (got.kind !== expected.type)
    problems.push({ path: expected.path, reason: `type ${got.kind}, manifest says ${String(expected.type)}` });
  else if (expected.type === 'file' && note?.kind === 'changed' && (got.size !== expected.size || got.sha256 !== expected.sha256)) {
    context.noted?.push({ path: expected.path, ...note });
  } else if (expected.type === 'file') {
    if (got.size !== expected.size) problems.push({ path: expected.path, reason: `size ${got.size}, manifest says ${expected.size}` });
    else if (got.sha256 !== expected.sha256)
      problems.push({ path: expected.path, reason: 'SHA-256 does not match the manifest: content was changed' });
    // The stored bytes alone do not say how they restore: a sparse entry read as a plain file (or the reverse)
    // would be written wrong with every hash matching.
    else if ((got.sparse?.realSize ?? -1) !== (expected.sparse?.realSize ?? -1)) {
      problems.push({
        path: expected.path,
        reason: got.sparse
          ? 'stored sparse, but the manifest lists an ordinary file'
          : expected.sparse
            ? 'the manifest lists a sparse file, but the archive stores it as an ordinary one'
            : 'sparse size does not match the manifest',
      });
    }
  } else if (expected.type === 'symlink' && got.target !== expected.target) {
    problems.push({ path: expected.path, reason: 'symlink target does not match the manifest' });
  }
}
