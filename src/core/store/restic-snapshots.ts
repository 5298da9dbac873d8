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

interface FindResult {
  snapshot: string;
  matches: { path: string; size?: number; type: string }[];
}

export const scopeTags = (scope: SnapshotScope): string[] => [OUR_TAG, `profile:${scope.profile}`];

/** `--tag a,b` means "has both": our tag and the profile's. */
export const scopeArgs = (scope: SnapshotScope): string[] => ['--tag', scopeTags(scope).join(','), '--host', scope.hostname];

function isSnapshot(value: unknown): value is ResticSnapshot {
  const s = value as ResticSnapshot;
  return typeof s?.id === 'string' && typeof s.time === 'string' && Array.isArray(s.paths);
}

const COMPONENTS_TAG = 'components:';

/** `components:config+credentials+…`: what the archive holds, readable without reading the archive. */
export const componentsTag = (components: Component[]): string => `${COMPONENTS_TAG}${components.join('+')}`;

function componentsOf(snapshot: ResticSnapshot): Component[] | null {
  const tag = snapshot.tags?.find((t) => t.startsWith(COMPONENTS_TAG));
  if (!tag) return null;
  const names = tag.slice(COMPONENTS_TAG.length).split('+');
  return names.every((n) => (COMPONENTS as readonly string[]).includes(n)) ? (names as Component[]) : null;
}

/** A snapshot of ours as the store lists it. `bytes` is the archive's size inside it. */
export function toStoredBackup(snapshot: ResticSnapshot, bytes: number, repo: ResticRepository, profile: string): StoredBackup {
  return {
    archive: snapshot.short_id, createdAt: new Date(snapshot.time).toISOString(), bytes, components: componentsOf(snapshot), encrypted: false, profile,
    recognisedBy: 'tags', snapshot: snapshot.id, repository: repo.location,
  };
}

/** The archive file's path inside a snapshot: restic names it after --stdin-filename. */
export const archivePathOf = (snapshot: Pick<ResticSnapshot, 'paths'>): string => snapshot.paths[0] ?? '/';

/**
 * This state's snapshots, newest first: `restic snapshots` scoped by tag, profile and host (other hosts', other
 * profiles' and other tools' snapshots in a shared repository are never seen), and one `restic find` for the
 * archives' sizes (restic 0.14 keeps no size in the snapshot itself).
 */
export async function listSnapshots(repo: ResticRepository, scope: SnapshotScope, signal?: AbortSignal): Promise<{ snapshot: ResticSnapshot; bytes: number }[]> {
  const parsed = parseJsonLines(await runRestic(repo, ['snapshots', '--json', ...scopeArgs(scope)], { signal }))[0];
  const snapshots = (Array.isArray(parsed) ? parsed : []).filter(isSnapshot).filter((s) => s.paths.length === 1);
  if (snapshots.length === 0) return [];
  const found = parseJsonLines(await runRestic(repo, ['find', '--json', ...scopeArgs(scope), '*.tar'], { signal }))[0];
  const sizes = new Map<string, number>();
  for (const hit of (Array.isArray(found) ? found : []) as FindResult[]) {
    const file = hit.matches?.find((m) => m.type === 'file');
    if (file) sizes.set(`${hit.snapshot} ${file.path}`, file.size ?? 0);
  }
  return snapshots
    .map((snapshot) => ({ snapshot, bytes: sizes.get(`${snapshot.id} ${archivePathOf(snapshot)}`) ?? 0 }))
    .sort((a, b) => Date.parse(b.snapshot.time) - Date.parse(a.snapshot.time) || b.snapshot.id.localeCompare(a.snapshot.id));
}

/** One snapshot by id or prefix, whatever its host or profile, if it is one of ours (it carries our tag). */
export async function findSnapshot(repo: ResticRepository, ref: string, signal?: AbortSignal): Promise<ResticSnapshot | undefined> {
  if (!/^[0-9a-f]{4,64}$/.test(ref)) return undefined;
  const listed = parseJsonLines(await runRestic(repo, ['snapshots', '--json', '--tag', OUR_TAG], { signal }))[0];
  const matches = (Array.isArray(listed) ? listed : []).filter(isSnapshot).filter((s) => s.id.startsWith(ref));
  return matches.length === 1 ? matches[0] : undefined;
}
