import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { discoverConfiguredRoots } from '../../config/workspaces.js';
import { IntegrityError } from '../../errors.js';
import { followedLinkPaths } from '../../config/followed-links.js';
import { namedPath, type ArchiveOrigin, type ArchiveRoot } from './roots.js';
import { resolveThroughLinks } from './target.js';

/*
 * Where each root of an archive goes: placed by the rules below from the paths the archive records, resolved through
 * the user's own links on the live file system, and checked against what no archive can bend. decideDestinations is
 * the one place that does all three; everything after it (staging, the preview, the swap) reads its answer.
 */

export interface DestinationContext extends PlaceRootsOptions {
  /** The target as the user named it (through a link, when `target` is its real path). */
  namedTarget: string;
  /** The config file this restore's user names; the live state dir, backups dir and openclaw.json (when readable). */
  configPath: string;
  stateDir: string;
  backupDir: string;
  live: Record<string, unknown> | undefined;
  /** The live config stays in effect (an in-place restore that leaves the config alone): it must name every root. */
  liveConfigInEffect: boolean;
}

/** Places, resolves and checks every root's destination before anything is written. */
export async function decideDestinations(origin: ArchiveOrigin, context: DestinationContext): Promise<ResolvedDestinations> {
  const resolved = await resolveDestinations(placeRoots(origin, context), context.target, context.namedTarget, context.copy);
  await checkDestinations(resolved.roots, context.target, context.home, context.backupDir);
  if (context.liveConfigInEffect) {
    await checkNamedByLiveConfig(resolved.roots, context.live, context.stateDir, context.home, context.configPath);
  }
  return resolved;
}

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
  const underTarget = (root: ArchiveRoot): PlacedRoot => {
    const base = path.join(options.target, RESTORED_ROOTS_DIR, root.id);
    const named = namedPath(root);
    const destination = root.role === 'config' && named ? path.join(base, path.basename(named)) : base;
    return { ...root, destination, placement: 'under-target' };
  };
  // An archive's recorded state dir counts only when it is absolute (a forged native manifest may say anything).
  const stateDir = origin.stateDir !== undefined && path.isAbsolute(origin.stateDir) ? origin.stateDir : undefined;
  return origin.roots.map((root): PlacedRoot => {
    if (root.role === 'state') return { ...root, destination: options.target, placement: 'target' };
    const named = namedPath(root);
    if (!named || !path.isAbsolute(named)) return underTarget(root);
    if (stateDir && isInside(stateDir, named)) {
      return { ...root, destination: path.join(options.target, path.relative(stateDir, named)), placement: 'inside-state' };
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

export interface ResolvedDestinations {
  roots: PlacedRoot[];
  /** Paths (relative to the target) of the user's links that a full restore carries into the new state. */
  carry: string[];
  notes: string[];
}

/**
 * Resolves each root's destination on the live file system before anything changes. Outside the target, through the
 * user's links (the workspace is where its path leads). Inside the target a live link is followed only when it still
 * leads where the archive says the root's content was, and that is outside the target: the link is then carried into
 * the restored state and the content restored behind it. Any other link in the way is not followed; it goes to the
 * rollback copy with the state it belongs to.
 */
async function resolveDestinations(
  placed: PlacedRoot[],
  target: string,
  namedTarget: string,
  copy: boolean,
): Promise<ResolvedDestinations> {
  const carry: string[] = [];
  const notes: string[] = [];
  const roots: PlacedRoot[] = [];
  for (const root of placed) {
    if (root.role === 'state') {
      roots.push(namedTarget !== target ? { ...root, via: namedTarget } : root);
      continue;
    }
    const destination = root.destination;
    if (!isInside(target, destination)) {
      const real = await resolveThroughLinks(destination);
      roots.push(real !== destination ? { ...root, destination: real, via: destination } : root);
      continue;
    }
    const stat = copy ? undefined : await fs.lstat(destination).catch(() => undefined);
    if (!stat?.isSymbolicLink()) {
      roots.push(root);
      continue;
    }
    const real = await fs.realpath(destination).catch(() => undefined);
    if (real && real === root.source && !isInside(target, real)) {
      carry.push(path.relative(target, destination));
      notes.push(`${destination} is a symlink to ${real}: ${root.id} restored there, the link kept`);
      roots.push({ ...root, destination: real, via: destination });
    } else {
      notes.push(
        `${destination} was a symlink to ${await fs.readlink(destination).catch(() => '?')}, not where the archive's ${root.id} came from: it goes to the rollback copy and ${root.id} is restored in its place`,
      );
      roots.push(root);
    }
  }
  return { roots, carry, notes };
}

/**
 * Whatever the archive says, a root never replaces the file system root, a directory holding the home dir, the target
 * state itself, or the backups dir, and no two roots share a destination.
 */
async function checkDestinations(roots: PlacedRoot[], target: string, home: string, backupDir: string): Promise<void> {
  const homes = [home, await resolveThroughLinks(home)];
  const backups = [backupDir, await resolveThroughLinks(backupDir)];
  const others = roots.filter((root) => root.role !== 'state');
  for (const root of others) {
    const d = root.destination;
    const refuse = (why: string) =>
      new IntegrityError(`root ${root.id} (${root.linkPath ?? root.source ?? '?'}) would be restored to ${d}, which ${why}`);
    if (d === path.parse(d).root || homes.some((h) => isInside(d, h)))
      throw refuse('is the file system root or contains your home directory');
    if (isInside(d, target)) throw refuse('contains the restore target');
    if (backups.some((b) => isInside(b, d) || isInside(d, b))) throw refuse('is, is inside or contains the backups dir');
    const overlap = others.find((other) => other !== root && (isInside(other.destination, d) || isInside(d, other.destination)));
    if (overlap) throw refuse(`overlaps root ${overlap.id}'s destination ${overlap.destination}`);
  }
}

/**
 * When the live config stays in effect (an --only restore that leaves the config alone), each root must go where that
 * config names a workspace or agent dir; otherwise the archive alone would name the place.
 */
async function checkNamedByLiveConfig(
  roots: PlacedRoot[],
  live: Record<string, unknown> | undefined,
  stateDir: string,
  home: string,
  configPath: string,
): Promise<void> {
  const others = roots.filter((root) => root.role !== 'state' && root.placement !== 'under-target');
  if (others.length === 0) return;
  const named = new Set<string>([configPath, await resolveThroughLinks(configPath)]);
  for (const root of discoverConfiguredRoots(live ?? {}, stateDir, home)) {
    named.add(root.path);
    named.add(await resolveThroughLinks(root.path));
  }
  // A followed link's target is named by the link: where the live link leads now.
  for (const link of followedLinkPaths(live ?? {}, stateDir, home)) named.add(await whereLinkLeads(link));
  for (const root of others) {
    if (named.has(root.destination) || (root.via && named.has(root.via))) continue;
    throw new IntegrityError(
      `root ${root.id} (${root.linkPath ?? root.source ?? '?'}) would be restored to ${root.via ?? root.destination}, which the config in use does not name; restore the config too (--only config,…) or restore a copy with --target`,
    );
  }
}

/** Where a symlink leads, even when its target is gone (restore is about to bring it back). */
async function whereLinkLeads(link: string): Promise<string> {
  const real = await fs.realpath(link).catch(() => undefined);
  if (real) return real;
  const target = await fs.readlink(link).catch(() => undefined);
  return target === undefined ? link : path.resolve(path.dirname(link), target);
}
