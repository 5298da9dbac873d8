import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { describeFsError, UsageError } from '../../errors.js';

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

/** The target must be a directory (or not exist yet); a --target copy goes only into an empty one, unless forced. */
export async function checkTargetContents(target: string, copy: boolean, force: boolean): Promise<void> {
  const stat = await fs.lstat(target).catch(() => undefined);
  if (stat && !stat.isDirectory()) throw new UsageError(`restore target ${target} exists and is not a directory`);
  if (copy && stat && !force && (await fs.readdir(target)).length > 0) {
    throw new UsageError(`--target ${target} is not empty; pass --force to replace it (its contents are moved to a rollback copy)`);
  }
}

/** Running as root into a directory another user owns is the "copied as root" footgun: say so. */
export async function ownershipWarnings(target: string): Promise<string[]> {
  if (process.getuid?.() !== 0) return [];
  const parent = await fs.stat(path.dirname(target)).catch(() => undefined);
  if (parent && parent.uid !== 0) {
    return [
      `restored files belong to root, but ${path.dirname(target)} belongs to uid ${parent.uid}; run restore as that user, or chown -R ${parent.uid}:${parent.gid} ${target}`,
    ];
  }
  return [];
}
