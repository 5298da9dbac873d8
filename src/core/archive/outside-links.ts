import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { isSelected, type Selection } from '../components.js';
import type { BackupSource } from './sources.js';
import { walkTree } from './walk.js';
import { isDirectory } from '../fs/exists.js';

export interface OutsideLink {
  /** As the user would name it in backup.followLinks: relative to the state dir, else absolute. */
  name: string;
  target: string;
}

/** OpenClaw links each plugin's skills into its install: regenerated on start, never the user's data. */
function isOpenClawManaged(source: BackupSource, rel: string): boolean {
  return source.root.role === 'state' && rel.startsWith('plugin-skills/');
}

/**
 * A symlink whose target is a directory outside every backed-up root: its content is not in the backup (links are
 * stored as links). Undefined for links to files, dangling links and links that stay inside.
 */
export async function findOutsideLink(
  source: BackupSource,
  abs: string,
  rel: string,
  target: string,
  roots: readonly string[],
): Promise<OutsideLink | undefined> {
  if (isOpenClawManaged(source, rel)) return undefined;
  const lexical = path.resolve(path.dirname(abs), target);
  if (roots.some((root) => isInside(root, lexical))) return undefined;
  const real = await fs.realpath(abs).catch(() => undefined);
  if (!real || roots.some((root) => isInside(root, real))) return undefined;
  if (!(await isDirectory(real))) return undefined;
  return { name: source.root.role === 'state' ? rel : abs, target };
}

export function describeOutsideLink(link: OutsideLink): string {
  return `not backed up: ${link.name} -> ${link.target}`;
}

/** Every selected symlink that leads out of the backup (doctor's view of what create warns about). */
export async function collectOutsideLinks(
  sources: readonly BackupSource[],
  selection: Selection,
  options: { excludeAbs: string[]; signal?: AbortSignal | undefined },
): Promise<OutsideLink[]> {
  const roots = sources.map((s) => s.root.path);
  const reals = [...roots, ...(await Promise.all(roots.map((p) => fs.realpath(p).catch(() => p))))];
  const found: OutsideLink[] = [];
  for (const source of sources) {
    for await (const entry of walkTree(source.root.path, {
      skip: (rel) => source.neverArchived(rel),
      excludeAbs: options.excludeAbs,
      signal: options.signal,
    })) {
      if (entry.kind !== 'symlink') continue;
      const component = source.classify(entry.rel);
      if (!source.globPaths(entry.rel).some((p) => isSelected(selection, component, p))) continue;
      const target = await fs.readlink(entry.abs).catch(() => undefined);
      const outside = target === undefined ? undefined : await findOutsideLink(source, entry.abs, entry.rel, target, reals);
      if (outside) found.push(outside);
    }
  }
  return found;
}
