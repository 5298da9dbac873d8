import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { discoverConfiguredRoots } from '../../config/workspaces.js';
import type { ConfigOrigin } from './check-root-config.js';
import type { ScannedEntry, VerifyProblem } from './scan-archive.js';

const MAX_HOPS = 40;

/**
 * Where a path inside the state tree leads through the archive's own symlinks, as the recorded state dir would
 * resolve it: undefined while it stays inside the state dir, else the link that leads out and where.
 */
function linkLeadingOut(
  rel: string,
  stateDir: string,
  prefix: string,
  entries: ReadonlyMap<string, ScannedEntry>,
): { name: string; target: string } | undefined {
  let remaining = rel.split('/').filter(Boolean);
  let done: string[] = [];
  for (let hops = 0; remaining.length > 0;) {
    const part = remaining[0] as string;
    const current = [...done, part].join('/');
    const entry = entries.get(`${prefix}/${current}`);
    if (entry?.kind !== 'symlink' || entry.target === undefined) {
      done = [...done, part];
      remaining = remaining.slice(1);
      continue;
    }
    hops += 1;
    const parent = path.posix.join(stateDir, ...done);
    const resolved = path.posix.resolve(parent, entry.target);
    if (hops > MAX_HOPS || !isInside(stateDir, resolved)) return { name: entry.name, target: entry.target };
    done = [];
    remaining = [...path.posix.relative(stateDir, resolved).split('/').filter(Boolean), ...remaining.slice(1)];
  }
  return undefined;
}

/**
 * A workspace or agent dir the archive's own config names inside the state dir must not arrive as a symlink (or
 * below one) that leads out of the state tree: restored, it would make the next backup archive whatever it points
 * at (a forged snapshot's way to pull ~/.ssh into a repository it can read). create never stores such a link: it
 * makes the link's target a root of its own. A link that stays inside the state tree is the user's, kept as stored.
 */
export function configRootsThroughLinks(
  config: Record<string, unknown>,
  origin: ConfigOrigin,
  stateArchivePath: string,
  entries: ReadonlyMap<string, ScannedEntry>,
): VerifyProblem[] {
  const stateDir = origin.stateDir;
  if (!stateDir.startsWith('/')) return [];
  const home = origin.home ?? path.dirname(stateDir);
  const problems: VerifyProblem[] = [];
  const seen = new Set<string>();
  for (const root of discoverConfiguredRoots(config, stateDir, home)) {
    if (!isInside(stateDir, root.path) || root.path === stateDir) continue;
    const out = linkLeadingOut(path.posix.relative(stateDir, root.path), stateDir, stateArchivePath, entries);
    if (!out || seen.has(out.name)) continue;
    seen.add(out.name);
    problems.push({
      path: out.name,
      reason: `${root.keyPath} names ${root.path}, which arrives as a symlink to ${out.target}, out of the state dir: a later backup would archive what it points at; refused`,
    });
  }
  return problems;
}
