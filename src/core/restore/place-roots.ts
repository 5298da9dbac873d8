import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { isUnder, namedPath, type ArchiveOrigin, type ArchiveRoot } from './roots.js';

export interface PlacedRoot extends ArchiveRoot {
  destination: string;
  /** Why it goes there, for the report. */
  placement: 'target' | 'inside-state' | 'recorded-path' | 'new-home' | 'under-target' | 'config-path';
  /** The user's path that is a symlink to `destination` (kept as it is), when there is one. */
  via?: string | undefined;
}

export interface PlaceRootsOptions {
  target: string;
  /** --target DIR: a separate copy, so nothing outside DIR is written. */
  copy: boolean;
  home: string;
  /** The config file this restore's user names (--config, $OPENCLAW_CONFIG_PATH, or <stateDir>/openclaw.json). */
  configPath?: string | undefined;
  /** Whether a directory exists on this machine (the parent of a recorded path). */
  dirExists: (dir: string) => boolean;
  /** Destinations already resolved on the live file system (resolveDestinations), by root id. */
  resolved?: Map<string, { destination: string; via?: string | undefined }> | undefined;
}

/** Subfolder of the target for roots that have no place of their own on this machine. */
export const RESTORED_ROOTS_DIR = 'restored-roots';

/**
 * Decides where each root goes, from the path the user named for it (its config's path), never from where an archived
 * link pointed. The state root goes to the target. A root that lived inside the state dir goes to the same place in
 * the target. Outside it: back to its recorded path; when the archive came from another home, the same path under this
 * home; when that path cannot exist here (its parent is missing) or this is a --target copy, under
 * <target>/restored-roots/<id>. A config kept outside the state dir goes to the config path this user names.
 */
export function placeRoots(origin: ArchiveOrigin, options: PlaceRootsOptions): PlacedRoot[] {
  const placed = decidePlaces(origin, options);
  if (!options.resolved) return placed;
  return placed.map((root) => {
    const resolved = options.resolved?.get(root.id);
    return resolved ? { ...root, destination: resolved.destination, via: resolved.via } : root;
  });
}

function decidePlaces(origin: ArchiveOrigin, options: PlaceRootsOptions): PlacedRoot[] {
  const underTarget = (root: ArchiveRoot): PlacedRoot => {
    const base = path.join(options.target, RESTORED_ROOTS_DIR, root.id);
    const named = namedPath(root);
    const destination = root.role === 'config' && named ? path.join(base, path.basename(named)) : base;
    return { ...root, destination, placement: 'under-target' };
  };
  return origin.roots.map((root): PlacedRoot => {
    if (root.role === 'state') return { ...root, destination: options.target, placement: 'target' };
    const named = namedPath(root);
    if (!named || !path.isAbsolute(named)) return underTarget(root);
    if (isUnder(origin.stateDir, named)) {
      return {
        ...root,
        destination: path.join(options.target, path.relative(origin.stateDir as string, named)),
        placement: 'inside-state',
      };
    }
    if (options.copy) return underTarget(root);
    if (root.role === 'config') {
      const own = options.configPath;
      return own && !isInside(options.target, own) ? { ...root, destination: own, placement: 'config-path' } : underTarget(root);
    }
    if (origin.home && origin.home !== options.home && isInside(origin.home, named)) {
      return { ...root, destination: path.join(options.home, path.relative(origin.home, named)), placement: 'new-home' };
    }
    if (options.dirExists(path.dirname(named))) return { ...root, destination: named, placement: 'recorded-path' };
    return underTarget(root);
  });
}

/**
 * Old absolute path → new absolute path, for every root that moved (the state dir first): both the path the config
 * named and, when it was a link, the real path it led to, so a config that spelled either is rewritten.
 */
export function pathMappings(origin: ArchiveOrigin, placed: PlacedRoot[]): Array<{ from: string; to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  const add = (from: string | undefined, to: string) => {
    if (from && from !== to && !out.some((m) => m.from === from)) out.push({ from, to });
  };
  const state = placed.find((root) => root.role === 'state');
  if (state) {
    // The path the restored state dir will be known by: the user's link when there is one.
    const stateNow = state.via ?? state.destination;
    add(origin.stateDir, stateNow);
    add(state.source, stateNow);
  }
  for (const root of placed) {
    if (root.role === 'state') continue;
    const now = root.via ?? root.destination;
    add(namedPath(root), now);
    add(root.source, now);
  }
  return out;
}
