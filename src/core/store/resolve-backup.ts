import fs from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import type { ArchiveInput } from '../reader/source.js';
import type { BackupListing, BackupStore, ListOptions, StateSummary, StoredBackup } from './types.js';

export interface ResolvedArchive {
  /** What verify and restore read: the file named, or the backup's source in the store. */
  input: ArchiveInput;
  /** The backup in the store, when the reference named one (not a file elsewhere). */
  backup?: StoredBackup | undefined;
}

const DATE_REF = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2}))?)?)?$/;
const FILE_LIKE = /[/\\]|\.(tar|tgz|gz|zst|age)$/;

/** The end of the day, hour, minute or second a date reference names, in local time. */
function endOfDateRef(match: RegExpExecArray): number {
  const [, y, mo, d, h, mi, s] = match.map((part) => (part === undefined ? undefined : Number(part)));
  const parts = [y as number, (mo as number) - 1, d as number, h ?? 23, mi ?? 59, s ?? 59];
  return new Date(parts[0] as number, parts[1] as number, parts[2], parts[3], parts[4], parts[5], 999).getTime();
}

function nameOf(backup: StoredBackup): string {
  return path.basename(backup.archive);
}

function describeCandidates(backups: StoredBackup[]): string {
  const shown = backups.slice(0, 5).map(nameOf).join(', ');
  return backups.length > 5 ? `${shown}, … (${backups.length} in all)` : shown;
}

/** "state 3f2a… (host vm, profile default, 4 snapshots, newest … 2c1d0e9a)": one state a repository holds. */
export function describeState(state: StateSummary): string {
  const who = state.stateId ? `state ${state.stateId}` : 'snapshots from before state ids';
  const parts = [
    `host ${state.hostnames.join('/') || 'unknown'}`,
    `profile ${state.profiles.join('/') || 'unknown'}`,
    `${state.count} snapshot${state.count === 1 ? '' : 's'}`,
  ];
  if (state.newest) parts.push(`newest ${state.newest.createdAt} ${state.newest.archive}`);
  return `${who} (${parts.join(', ')})`;
}

/** `latest` or a date among several states' snapshots means nothing: say which states there are and how to choose. */
function assertOneState(listing: BackupListing, ref: string): void {
  const scope = listing.scope;
  if (scope?.kind !== 'repository' || scope.states.length < 2) return;
  throw new UsageError(
    `"${ref}" is ambiguous: ${listing.location} holds the backups of ${scope.states.length} states: ${scope.states.map(describeState).join('; ')}; choose with --state-id ID, --host NAME or --profile NAME, or name a snapshot id`,
  );
}

/**
 * Finds the backup a user names: `latest`; a path to an archive file (anywhere, ours or not); an archive's file
 * name or a snapshot id; a unique prefix of either; or a date (`2026-11-20`, `2026-11-20T03:30`), meaning the
 * newest backup made at or before the end of it. An ambiguous prefix or no match is a usage error naming the store.
 * `latest` and dates never pick a backup dated in the future; naming one by its id still finds it.
 */
export async function resolveBackup(store: BackupStore | undefined, ref: string, options: ListOptions = {}): Promise<ResolvedArchive> {
  const asFile = await fs.stat(ref).then(
    (s) => s.isFile(),
    () => false,
  );
  if (asFile) return { input: ref };
  if (!store) return { input: ref };
  const listing = await store.list({ ...options, browse: true });
  const backups = listing.archives;
  const named = pickByName([...backups, ...(listing.suspect ?? [])], ref);
  if (named) return { input: store.source(named), backup: named };
  if (ref === 'latest' || DATE_REF.test(ref)) assertOneState(listing, ref);
  const found = pickByTime(backups, ref);
  if (found) return { input: store.source(found), backup: found };
  const elsewhere = await store.find(ref);
  if (elsewhere) return { input: store.source(elsewhere), backup: elsewhere };
  // A path that names no backup keeps its old meaning: "cannot open <path>" (exit 1), not a usage error.
  if (FILE_LIKE.test(ref) && ref.includes('/')) return { input: ref };
  if (backups.length === 0) throw new UsageError(`no backups in ${listing.location} to choose "${ref}" from`);
  const prefixed = backups.filter((b) => nameOf(b).startsWith(ref) || b.snapshot?.startsWith(ref));
  if (prefixed.length > 1)
    throw new UsageError(
      `"${ref}" matches ${prefixed.length} backups in ${listing.location}: ${describeCandidates(prefixed)}; give more of the name`,
    );
  throw new UsageError(`no backup matches "${ref}" in ${listing.location}; see openclaw-backup list`);
}

/** An exact name or id, or a unique prefix of one. */
function pickByName(backups: StoredBackup[], ref: string): StoredBackup | undefined {
  if (ref === 'latest' || DATE_REF.test(ref)) return undefined;
  const exact = backups.find((b) => b.archive === ref || nameOf(b) === ref || b.snapshot === ref);
  if (exact) return exact;
  const prefixed = backups.filter((b) => nameOf(b).startsWith(ref) || b.snapshot?.startsWith(ref));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** `latest`, or the newest at or before the end of a date. */
function pickByTime(backups: StoredBackup[], ref: string): StoredBackup | undefined {
  if (ref === 'latest') return backups[0];
  const date = DATE_REF.exec(ref);
  if (!date) return undefined;
  const end = endOfDateRef(date);
  return backups.find((b) => Date.parse(b.createdAt) <= end);
}
