import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { discoverConfiguredRoots } from '../../config/workspaces.js';
import { describeFsError, IntegrityError, UsageError } from '../../errors.js';
import { followedLinkPaths } from '../../config/followed-links.js';
import type { PlacedRoot } from './place-roots.js';

/**
 * Where a path really is, through the user's own links: the realpath of its deepest existing part with the rest
 * appended. Only paths the user named (the state dir, --target, a workspace their config lists) are resolved this way.
 */
export async function resolveThroughLinks(named: string): Promise<string> {
  const rest: string[] = [];
  let existing = named;
  for (;;) {
    try {
      return path.join(await fs.realpath(existing), ...rest.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new UsageError(`cannot resolve ${named}: ${describeFsError(error)}`, { cause: error });
      const parent = path.dirname(existing);
      if (parent === existing) return named;
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

export interface TargetRules {
  /** The target as the user named it and as it resolves. */
  named: string;
  target: string;
  home: string;
  copy: boolean;
  stateDir: string;
  backupDir: string;
}

/**
 * A restore target never is, contains or lies inside something restore must not replace: the file system root, the
 * home dir, and for a --target copy the live state dir and the backups dir (replacing those would move every archive
 * into a rollback copy).
 */
export async function checkTargetPlace(rules: TargetRules): Promise<void> {
  const homes = [rules.home, await resolveThroughLinks(rules.home)];
  const targets = [rules.named, rules.target];
  if (targets.some((t) => t === path.parse(t).root || homes.some((home) => isInside(t, home)))) {
    throw new UsageError(`refusing to restore over ${rules.named}: it is the file system root or contains your home directory`);
  }
  const guarded: Array<[string, string]> = [];
  for (const [what, dir] of [['backups dir', rules.backupDir], ...(rules.copy ? [['state dir', rules.stateDir]] : [])] as Array<
    [string, string]
  >) {
    guarded.push([what, dir], [what, await resolveThroughLinks(dir)]);
  }
  for (const [what, dir] of guarded) {
    const clash = targets.some((t) => isInside(dir, t) || (rules.copy && isInside(t, dir)));
    if (clash)
      throw new UsageError(
        `refusing to restore into ${rules.named}: it is, is inside or contains the ${what} ${dir}; choose another --target`,
      );
  }
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
export async function resolveDestinations(
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
export async function checkDestinations(roots: PlacedRoot[], target: string, home: string, backupDir: string): Promise<void> {
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
export async function checkNamedByLiveConfig(
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
