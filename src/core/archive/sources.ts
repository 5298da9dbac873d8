import fs from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import { isInside, type StatePaths } from '../../config/paths.js';
import { discoverConfiguredRoots, type ExtraRoot } from '../../config/workspaces.js';
import { classifyAgentDirPath, classifyStatePath, classifyWorkspacePath, isNeverArchived, type Component } from '../components.js';
import { EXTERNAL_PREFIX, STATE_PREFIX, type SourceRoot } from './manifest.js';

export interface BackupSource {
  root: SourceRoot;
  classify(rel: string): Component;
  /** Paths a selection glob is tested against for this entry. */
  globPaths(rel: string): string[];
  neverArchived(rel: string): boolean;
}

export interface PlannedSources {
  sources: BackupSource[];
  /** Absolute paths (as the walk sees them) the state walk must skip: links that are roots of their own. */
  exclude: string[];
  /** Configured roots outside the state dir that do not exist here (a config from another machine). */
  missing: Array<{ path: string; role: string }>;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

async function realpathOrUndefined(p: string): Promise<string | undefined> {
  return fs.realpath(p).catch(() => undefined);
}

/** `root` as the archive records it: `path` is where the content is, `linkPath` the user's path when it differs. */
function record(base: Omit<SourceRoot, 'path' | 'linkPath'>, named: string, real: string): SourceRoot {
  const { id, ...rest } = base;
  return { id, path: real, ...(named !== real ? { linkPath: named } : {}), ...rest };
}

/**
 * The topmost symlink on a path the user named inside the state dir (as the state walk would meet it), or undefined.
 * That link is a root of its own: the walk skips it so its place is the root's, not a link's.
 */
async function firstLinkInside(stateDir: string, stateReal: string, named: string): Promise<string | undefined> {
  if (!isInside(stateDir, named) || named === stateDir) return undefined;
  let current = stateReal;
  for (const part of path.relative(stateDir, named).split(path.sep)) {
    current = path.join(current, part);
    const stat = await fs.lstat(current).catch(() => undefined);
    if (!stat) return undefined;
    if (stat.isSymbolicLink()) return current;
  }
  return undefined;
}

/**
 * The roots a backup reads: the state dir, then workspaces, agent dirs and a config file that live outside it. Each
 * root the user names (state dir, config file, workspaces, agent dirs) is resolved to its real path first, so a
 * symlinked `~/.openclaw` or workspace is backed up with its content; inside a tree, links stay links. Roots that do
 * not exist are returned as `missing` (create names them in one warning) and skipped.
 */
export async function planSources(paths: StatePaths, config: LoadedConfig): Promise<PlannedSources> {
  const stateReal = (await realpathOrUndefined(paths.stateDir)) ?? paths.stateDir;
  const configured = discoverConfiguredRoots(config.openclaw, paths.stateDir, paths.home);
  const workspaceRels = configured
    .filter((root) => root.role === 'workspace' && isInside(paths.stateDir, root.path) && root.path !== paths.stateDir)
    .map((root) => toPosix(path.relative(paths.stateDir, root.path)));
  const wsRels = workspaceRels.length ? [...new Set(workspaceRels)] : ['workspace'];

  const sources: BackupSource[] = [
    {
      root: record({ id: 'state', archivePath: STATE_PREFIX, role: 'state' }, paths.stateDir, stateReal),
      classify: (rel) => (rel === '' ? 'state' : classifyStatePath(rel, wsRels)),
      globPaths: (rel) => [rel],
      neverArchived: (rel) => rel !== '' && isNeverArchived(rel),
    },
  ];
  const exclude: string[] = [];

  // Outside the state dir by where they really are; nested ones folded into their parent; missing ones skipped.
  const outside: Array<ExtraRoot & { real: string }> = [];
  const missing = new Map<string, { path: string; role: string }>();
  for (const root of configured) {
    const real = await realpathOrUndefined(root.path);
    if (!real) {
      if (!isInside(paths.stateDir, root.path) && !missing.has(root.path)) missing.set(root.path, { path: root.path, role: root.role });
      continue;
    }
    if (isInside(stateReal, real) || outside.some((other) => other.real === real)) continue;
    outside.push({ ...root, real });
  }
  const folded = outside.filter((root) => !outside.some((other) => other !== root && isInside(other.real, root.real)));

  let n = 0;
  const basenameRules = (rel: string) => rel !== '' && isNeverArchived(`x/${rel}`);
  for (const extra of folded) {
    n += 1;
    const root = record(
      {
        id: `external-${n}`,
        archivePath: `${EXTERNAL_PREFIX}/${n}`,
        role: extra.role,
        ...(extra.agentId ? { agentId: extra.agentId } : {}),
      },
      extra.path,
      extra.real,
    );
    const link = await firstLinkInside(paths.stateDir, stateReal, extra.path);
    if (link) exclude.push(link);
    if (extra.role === 'workspace') {
      sources.push({ root, classify: classifyWorkspacePath, globPaths: (rel) => [rel, `workspace/${rel}`], neverArchived: basenameRules });
    } else {
      const agentId = extra.agentId ?? 'main';
      sources.push({
        root,
        classify: (rel) => classifyAgentDirPath(rel, agentId),
        globPaths: (rel) => [rel],
        neverArchived: basenameRules,
      });
    }
  }

  if (config.exists) {
    const configReal = (await realpathOrUndefined(paths.configPath)) ?? paths.configPath;
    const link = await firstLinkInside(paths.stateDir, stateReal, paths.configPath);
    const covered = !link && sources.some((source) => isInside(source.root.path, configReal));
    if (!covered) {
      n += 1;
      if (link) exclude.push(link);
      const base = {
        id: `external-${n}`,
        archivePath: `${EXTERNAL_PREFIX}/${n}/${path.basename(paths.configPath)}`,
        role: 'config' as const,
      };
      sources.push({
        root: record(base, paths.configPath, configReal),
        classify: () => 'config',
        globPaths: () => [path.basename(paths.configPath)],
        neverArchived: () => false,
      });
    }
  }
  return { sources, exclude, missing: [...missing.values()] };
}

export function entryName(root: SourceRoot, rel: string): string {
  return rel ? `${root.archivePath}/${rel}` : root.archivePath;
}
