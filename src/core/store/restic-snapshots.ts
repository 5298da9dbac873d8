import path from 'node:path';
import { COMPONENTS, type Component } from '../components.js';
import { parseJsonLines, runRestic } from './restic-run.js';
import type { ResticRepository } from './restic-repository.js';
import type { SeriesSelector, StateSummary, StoredBackup } from './types.js';

/** The tag every snapshot of ours carries. Which state's it is says `state:<id>`; the host is only a label. */
export const OUR_TAG = 'openclaw-backup';
const STATE_TAG = 'state:';
const PROFILE_TAG = 'profile:';
const COMPONENTS_TAG = 'components:';
const BYTES_TAG = 'bytes:';

export interface ResticSnapshot {
  id: string;
  short_id: string;
  time: string;
  paths: string[];
  hostname?: string;
  tags?: string[];
  /** The id before `restic tag` rewrote the snapshot (restic keeps it). */
  original?: string;
}

/** What makes a snapshot part of a state's series. */
export interface SeriesIdentity {
  stateId: string;
  profile: string;
}

/** Where a new snapshot goes: the state's series, and the host it is labelled with (restic's --host). */
export interface SnapshotScope extends SeriesIdentity {
  hostname: string;
}

/** The tags a new snapshot of this state carries (besides components:/bytes:, which describe it). */
export const seriesTags = (series: SeriesIdentity): string[] => [
  OUR_TAG,
  `${STATE_TAG}${series.stateId}`,
  `${PROFILE_TAG}${series.profile}`,
];

/** How a state recognises its snapshots: its id, and for those made before ids, its host, profile and mirror path. */
export interface SeriesScope {
  /** undefined before the state's first backup since ids exist. */
  stateId: string | undefined;
  profile: string;
  hostname: string;
  /** The tree path the old write path backed up: `<backupsDir>/.openclaw-backup-mirror/openclaw-backup`. */
  legacyTree: string;
}

/** Where snapshots made before state ids kept their one path (see SeriesScope.legacyTree). */
export const legacyTreeOf = (backupsDir: string): string =>
  path.join(path.resolve(backupsDir), '.openclaw-backup-mirror', 'openclaw-backup');

const tagValue = (snapshot: ResticSnapshot, prefix: string): string | undefined =>
  snapshot.tags?.find((t) => t.startsWith(prefix))?.slice(prefix.length) || undefined;

export const stateIdOf = (snapshot: ResticSnapshot): string | undefined => tagValue(snapshot, STATE_TAG);
export const profileOf = (snapshot: ResticSnapshot): string | undefined => tagValue(snapshot, PROFILE_TAG);

/** Made by this state before state ids existed: our tag, no state tag, this host, this profile, this state's mirror. */
export function isLegacyOf(snapshot: ResticSnapshot, scope: SeriesScope): boolean {
  return (
    stateIdOf(snapshot) === undefined &&
    snapshot.hostname === scope.hostname &&
    profileOf(snapshot) === scope.profile &&
    snapshot.paths.length === 1 &&
    snapshot.paths[0] === scope.legacyTree
  );
}

/** This state's snapshots: its id's, and (adopted) its own from before ids. */
export function inSeries(snapshot: ResticSnapshot, scope: SeriesScope): boolean {
  const id = stateIdOf(snapshot);
  return id !== undefined ? id === scope.stateId : isLegacyOf(snapshot, scope);
}

export function matchesSelector(snapshot: ResticSnapshot, select: SeriesSelector): boolean {
  if (select.stateId && !(stateIdOf(snapshot) ?? '').startsWith(select.stateId)) return false;
  if (select.hostname && snapshot.hostname !== select.hostname) return false;
  if (select.profile && profileOf(snapshot) !== select.profile) return false;
  return true;
}

/** `bytes:<n>`: the archive's size, known when the snapshot is made (restic 0.14 keeps no size in a snapshot). */
export const bytesTag = (bytes: number): string => `${BYTES_TAG}${bytes}`;

/** `components:config+credentials+…`: what the backup holds, readable without reading it. */
export const componentsTag = (components: Component[]): string => `${COMPONENTS_TAG}${components.join('+')}`;

function componentsOf(snapshot: ResticSnapshot): Component[] | null {
  const tag = tagValue(snapshot, COMPONENTS_TAG);
  if (!tag) return null;
  const names = tag.split('+');
  return names.every((n) => (COMPONENTS as readonly string[]).includes(n)) ? (names as Component[]) : null;
}

/** A snapshot of ours as the store lists it. `bytes` is the size its `bytes:` tag records (0 and sizeUnknown without one). */
export function toStoredBackup(snapshot: ResticSnapshot, repo: ResticRepository): StoredBackup {
  const bytes = tagValue(snapshot, BYTES_TAG);
  const size = bytes !== undefined && /^\d+$/.test(bytes) ? Number(bytes) : undefined;
  return {
    archive: snapshot.short_id,
    createdAt: new Date(snapshot.time).toISOString(),
    bytes: size ?? 0,
    ...(size === undefined ? { sizeUnknown: true } : {}),
    components: componentsOf(snapshot),
    encrypted: false,
    profile: profileOf(snapshot) ?? 'unknown',
    recognisedBy: 'tags',
    snapshot: snapshot.id,
    repository: repo.location,
    stateId: stateIdOf(snapshot),
    hostname: snapshot.hostname,
  };
}

/** The staging tree's path inside a snapshot (what `restic dump` reads). */
export const treePathOf = (snapshot: Pick<ResticSnapshot, 'paths'>): string => snapshot.paths[0] ?? '/';

function isSnapshot(value: unknown): value is ResticSnapshot {
  const s = value as ResticSnapshot;
  return typeof s?.id === 'string' && typeof s.time === 'string' && Array.isArray(s.paths);
}

const newestFirst = (a: ResticSnapshot, b: ResticSnapshot) => Date.parse(b.time) - Date.parse(a.time) || b.id.localeCompare(a.id);

/**
 * Every snapshot of ours in the repository (our tag), newest first, whatever its state or host: scoping is done on
 * the state id here, never with restic's --host (a hostname changes, is shared by clones, and is chosen by whoever
 * writes). Other tools' snapshots are never seen.
 */
export async function listOurSnapshots(repo: ResticRepository, signal?: AbortSignal): Promise<ResticSnapshot[]> {
  const parsed = parseJsonLines(await runRestic(repo, ['snapshots', '--json', '--tag', OUR_TAG], { signal, command: 'snapshots' }))[0];
  return (Array.isArray(parsed) ? parsed : []).filter(isSnapshot).sort(newestFirst);
}

/**
 * Adopts this state's snapshots from before state ids into its series (`restic tag --add state:<id>`, which
 * rewrites each snapshot under a new id), so they are found by id from then on. Returns false when the repository
 * would not take it (read-only, locked): the caller keeps them adopted in memory.
 */
export async function tagIntoSeries(
  repo: ResticRepository,
  snapshots: ResticSnapshot[],
  stateId: string,
  signal?: AbortSignal,
): Promise<boolean> {
  if (snapshots.length === 0) return true;
  try {
    await runRestic(repo, ['tag', '--add', `${STATE_TAG}${stateId}`, ...snapshots.map((s) => s.id)], { signal, command: 'tag' });
    return true;
  } catch (error) {
    if (signal?.aborted) throw error;
    return false;
  }
}

/** The states a set of snapshots belongs to, the one with the newest snapshot first. */
export function summarizeStates(snapshots: ResticSnapshot[]): StateSummary[] {
  const groups = new Map<string, ResticSnapshot[]>();
  for (const snapshot of snapshots) {
    const id = stateIdOf(snapshot);
    const key = id ? `state:${id}` : `legacy:${snapshot.hostname ?? ''}\0${profileOf(snapshot) ?? ''}\0${snapshot.paths.join('\0')}`;
    groups.set(key, [...(groups.get(key) ?? []), snapshot]);
  }
  const unique = (values: (string | undefined)[]) => [...new Set(values.filter((v): v is string => v !== undefined))];
  return [...groups.values()]
    .map((group) => {
      const sorted = [...group].sort(newestFirst);
      const newest = sorted[0] as ResticSnapshot;
      return {
        stateId: stateIdOf(newest) ?? null,
        hostnames: unique(sorted.map((s) => s.hostname)),
        profiles: unique(sorted.map(profileOf)),
        count: sorted.length,
        newest: { archive: newest.short_id, createdAt: new Date(newest.time).toISOString() },
      };
    })
    .sort((a, b) => Date.parse(b.newest.createdAt) - Date.parse(a.newest.createdAt));
}

/** One snapshot of ours by id or prefix, whatever its state or host. */
export function findById(snapshots: ResticSnapshot[], ref: string): ResticSnapshot | undefined {
  if (!/^[0-9a-f]{4,64}$/.test(ref)) return undefined;
  const matches = snapshots.filter((s) => s.id.startsWith(ref));
  return matches.length === 1 ? matches[0] : undefined;
}
