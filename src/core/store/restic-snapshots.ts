import { COMPONENTS, type Component } from '../components.js';
import { parseJsonLines, runRestic } from './restic-run.js';
import type { ResticRepository } from './restic-repository.js';
import type { StoredBackup } from './types.js';

/** The tag every snapshot of ours carries; with `profile:<name>` and the host it scopes list and retention. */
export const OUR_TAG = 'openclaw-backup';

export interface SnapshotScope {
  profile: string;
  hostname: string;
}

export interface ResticSnapshot {
  id: string;
  short_id: string;
  time: string;
  paths: string[];
  hostname?: string;
  tags?: string[];
}

export const scopeTags = (scope: SnapshotScope): string[] => [OUR_TAG, `profile:${scope.profile}`];

/** `--tag a,b` means "has both": our tag and the profile's. */
export const scopeArgs = (scope: SnapshotScope): string[] => ['--tag', scopeTags(scope).join(','), '--host', scope.hostname];

function isSnapshot(value: unknown): value is ResticSnapshot {
  const s = value as ResticSnapshot;
  return typeof s?.id === 'string' && typeof s.time === 'string' && Array.isArray(s.paths);
}

const COMPONENTS_TAG = 'components:';
const BYTES_TAG = 'bytes:';

/** `bytes:<n>`: the archive's size, known when the snapshot is made (restic 0.14 keeps no size in a snapshot). */
export const bytesTag = (bytes: number): string => `${BYTES_TAG}${bytes}`;

function bytesOf(snapshot: ResticSnapshot): number {
  const tag = snapshot.tags?.find((t) => t.startsWith(BYTES_TAG));
  return tag ? Number(tag.slice(BYTES_TAG.length)) || 0 : 0;
}

/** `components:config+credentials+…`: what the archive holds, readable without reading the archive. */
export const componentsTag = (components: Component[]): string => `${COMPONENTS_TAG}${components.join('+')}`;

function componentsOf(snapshot: ResticSnapshot): Component[] | null {
  const tag = snapshot.tags?.find((t) => t.startsWith(COMPONENTS_TAG));
  if (!tag) return null;
  const names = tag.slice(COMPONENTS_TAG.length).split('+');
  return names.every((n) => (COMPONENTS as readonly string[]).includes(n)) ? (names as Component[]) : null;
}

/** A snapshot of ours as the store lists it. `bytes` is the size of the archive it holds. */
export function toStoredBackup(snapshot: ResticSnapshot, repo: ResticRepository, profile: string): StoredBackup {
  return {
    archive: snapshot.short_id,
    createdAt: new Date(snapshot.time).toISOString(),
    bytes: bytesOf(snapshot),
    components: componentsOf(snapshot),
    encrypted: false,
    profile,
    recognisedBy: 'tags',
    snapshot: snapshot.id,
    repository: repo.location,
  };
}

/** The staging tree's path inside a snapshot (what `restic dump` reads). */
export const treePathOf = (snapshot: Pick<ResticSnapshot, 'paths'>): string => snapshot.paths[0] ?? '/';

/**
 * This state's snapshots, newest first: `restic snapshots` scoped by tag, profile and host, so other hosts',
 * other profiles' and other tools' snapshots in a shared repository are never seen (nor forgotten).
 */
export async function listSnapshots(repo: ResticRepository, scope: SnapshotScope, signal?: AbortSignal): Promise<ResticSnapshot[]> {
  const parsed = parseJsonLines(await runRestic(repo, ['snapshots', '--json', ...scopeArgs(scope)], { signal }))[0];
  return (Array.isArray(parsed) ? parsed : [])
    .filter(isSnapshot)
    .filter((s) => s.paths.length >= 1)
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time) || b.id.localeCompare(a.id));
}

/** One snapshot by id or prefix, whatever its host or profile, if it is one of ours (it carries our tag). */
export async function findSnapshot(repo: ResticRepository, ref: string, signal?: AbortSignal): Promise<ResticSnapshot | undefined> {
  if (!/^[0-9a-f]{4,64}$/.test(ref)) return undefined;
  const listed = parseJsonLines(await runRestic(repo, ['snapshots', '--json', '--tag', OUR_TAG], { signal }))[0];
  const matches = (Array.isArray(listed) ? listed : []).filter(isSnapshot).filter((s) => s.id.startsWith(ref));
  return matches.length === 1 ? matches[0] : undefined;
}
