import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { isUnder, type ArchiveOrigin, type ArchiveRoot } from './roots.js';

export interface PlacedRoot extends ArchiveRoot {
  destination: string;
  /** Why it goes there, for the report. */
  placement: 'target' | 'inside-state' | 'recorded-path' | 'new-home' | 'under-target';
}

export interface PlaceRootsOptions {
  target: string;
  /** --target DIR: a separate copy, so nothing outside DIR is written. */
  copy: boolean;
  home: string;
  /** Whether a directory exists on this machine (the parent of a recorded path). */
  dirExists: (dir: string) => boolean;
}

/** Subfolder of the target for roots that have no place of their own on this machine. */
export const RESTORED_ROOTS_DIR = 'restored-roots';

/**
 * Decides where each root goes. The state root goes to the target. A root that lived outside the state dir goes
 * back to its recorded path; when the archive came from another home, the same path under this home; when that
 * path cannot exist here (its parent is missing) or this is a --target copy, under <target>/restored-roots/<id>.
 */
export function placeRoots(origin: ArchiveOrigin, options: PlaceRootsOptions): PlacedRoot[] {
  const underTarget = (root: ArchiveRoot): PlacedRoot => {
    const base = path.join(options.target, RESTORED_ROOTS_DIR, root.id);
    const destination = root.role === 'config' && root.source ? path.join(base, path.basename(root.source)) : base;
    return { ...root, destination, placement: 'under-target' };
  };
  return origin.roots.map((root): PlacedRoot => {
    if (root.role === 'state') return { ...root, destination: options.target, placement: 'target' };
    const source = root.source;
    if (!source || !path.isAbsolute(source)) return underTarget(root);
    if (isUnder(origin.stateDir, source)) {
      return { ...root, destination: path.join(options.target, path.relative(origin.stateDir as string, source)), placement: 'inside-state' };
    }
    if (options.copy) return underTarget(root);
    if (origin.home && origin.home !== options.home && isInside(origin.home, source)) {
      return { ...root, destination: path.join(options.home, path.relative(origin.home, source)), placement: 'new-home' };
    }
    if (options.dirExists(path.dirname(source))) return { ...root, destination: source, placement: 'recorded-path' };
    return underTarget(root);
  });
}

/** Old absolute path → new absolute path, for every root that moved (the state dir first). */
export function pathMappings(origin: ArchiveOrigin, placed: PlacedRoot[]): Array<{ from: string; to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  const state = placed.find((root) => root.role === 'state');
  if (origin.stateDir && state && origin.stateDir !== state.destination) out.push({ from: origin.stateDir, to: state.destination });
  for (const root of placed) {
    if (root.role !== 'state' && root.source && root.source !== root.destination) out.push({ from: root.source, to: root.destination });
  }
  return out;
}
