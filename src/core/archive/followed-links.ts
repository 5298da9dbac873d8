import fs from 'node:fs/promises';
import path from 'node:path';
import { expandHome, isInside, type StatePaths } from '../../config/paths.js';
import { EXTERNAL_PREFIX } from './manifest.js';
import type { BackupSource } from './sources.js';
import { isDirectory } from '../fs/exists.js';

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** The deepest source whose tree holds `abs`. */
function holderOf(sources: readonly BackupSource[], abs: string): BackupSource | undefined {
  let best: BackupSource | undefined;
  for (const source of sources) {
    if (source.root.role !== 'config' && isInside(source.root.path, abs) && (!best || source.root.path.length > best.root.path.length))
      best = source;
  }
  return best;
}

function nextExternalNumber(sources: readonly BackupSource[]): number {
  const numbers = sources.map((s) => Number(/^external-(\d+)$/.exec(s.root.id)?.[1] ?? 0));
  return Math.max(0, ...numbers) + 1;
}

/**
 * The roots that backup.followLinks adds: each named symlink's target directory, archived as its own root (like an
 * extra source path in restic or borgmatic) while the link itself stays a link in its tree. Entries under it are
 * classified and selected as if they sat under the link, so `workspace/memory -> /sync/memory` is still memory.
 * A name that is not a symlink to a directory, or whose target is already backed up, is skipped with a warning.
 */
export async function planFollowedLinks(
  sources: readonly BackupSource[],
  links: readonly string[],
  context: { paths: StatePaths; keyPath: string },
  warn: (message: string) => void,
): Promise<BackupSource[]> {
  const added: BackupSource[] = [];
  let n = nextExternalNumber(sources);
  for (const [index, name] of links.entries()) {
    const key = `${context.keyPath}[${index}]`;
    const abs = expandHome(name, context.paths.home, context.paths.stateDir);
    const link = await fs.lstat(abs).catch(() => undefined);
    if (!link?.isSymbolicLink()) {
      warn(`${key}: ${abs} ${link ? 'is not a symlink (what it holds is backed up anyway)' : 'does not exist'}; skipped`);
      continue;
    }
    const real = await fs.realpath(abs).catch(() => undefined);
    const isDir = real ? await isDirectory(real) : false;
    // Roots may be recorded by their real paths (a symlinked state dir): find the link's tree either way.
    const parentReal = await fs.realpath(path.dirname(abs)).catch(() => path.dirname(abs));
    const linkPaths = [abs, path.join(parentReal, path.basename(abs))];
    const found = linkPaths.map((p) => ({ p, holder: holderOf(sources, p) })).find((x) => x.holder);
    const holder = found?.holder;
    if (!real || !isDir) {
      warn(`${key}: ${abs} does not point to a directory; skipped`);
      continue;
    }
    if (!holder) {
      warn(`${key}: ${abs} is not inside the state dir or a workspace; skipped`);
      continue;
    }
    const all = [...sources, ...added];
    if (all.some((s) => isInside(s.root.path, real))) continue; // its target is backed up already
    const inner = all.find((s) => isInside(real, s.root.path));
    if (inner) {
      warn(`${key}: ${abs} -> ${real} holds ${inner.root.path}, which is backed up on its own; skipped`);
      continue;
    }
    const linkRel = toPosix(path.relative(holder.root.path, found.p));
    const under = (rel: string) => (rel ? `${linkRel}/${rel}` : linkRel);
    added.push({
      root: { id: `external-${n}`, path: real, archivePath: `${EXTERNAL_PREFIX}/${n}`, role: 'linkTarget', link: abs },
      classify: (rel) => holder.classify(under(rel)),
      globPaths: (rel) => holder.globPaths(under(rel)),
      neverArchived: (rel) => rel !== '' && holder.neverArchived(under(rel)),
    });
    n += 1;
  }
  return added;
}
