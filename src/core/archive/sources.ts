import path from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import { isInside, type StatePaths } from '../../config/paths.js';
import { discoverConfiguredRoots, externalRoots } from '../../config/workspaces.js';
import {
  classifyAgentDirPath,
  classifyStatePath,
  classifyWorkspacePath,
  isNeverArchived,
  type Component,
} from '../components.js';
import { EXTERNAL_PREFIX, STATE_PREFIX, type SourceRoot } from './manifest.js';

export interface BackupSource {
  root: SourceRoot;
  classify(rel: string): Component;
  /** Paths a selection glob is tested against for this entry. */
  globPaths(rel: string): string[];
  neverArchived(rel: string): boolean;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** The roots a backup reads: the state dir, then workspaces, agent dirs and a config file that live outside it. */
export function planSources(paths: StatePaths, config: LoadedConfig): BackupSource[] {
  const configured = discoverConfiguredRoots(config.openclaw, paths.stateDir, paths.home);
  const workspaceRels = configured
    .filter((root) => root.role === 'workspace' && isInside(paths.stateDir, root.path) && root.path !== paths.stateDir)
    .map((root) => toPosix(path.relative(paths.stateDir, root.path)));
  const wsRels = workspaceRels.length ? [...new Set(workspaceRels)] : ['workspace'];

  const sources: BackupSource[] = [
    {
      root: { id: 'state', path: paths.stateDir, archivePath: STATE_PREFIX, role: 'state' },
      classify: (rel) => (rel === '' ? 'state' : classifyStatePath(rel, wsRels)),
      globPaths: (rel) => [rel],
      neverArchived: (rel) => rel !== '' && isNeverArchived(rel),
    },
  ];

  let n = 0;
  const basenameRules = (rel: string) => rel !== '' && isNeverArchived(`x/${rel}`);
  for (const extra of externalRoots(configured, paths.stateDir)) {
    n += 1;
    const root: SourceRoot = {
      id: `external-${n}`,
      path: extra.path,
      archivePath: `${EXTERNAL_PREFIX}/${n}`,
      role: extra.role,
      ...(extra.agentId ? { agentId: extra.agentId } : {}),
    };
    if (extra.role === 'workspace') {
      sources.push({ root, classify: classifyWorkspacePath, globPaths: (rel) => [rel, `workspace/${rel}`], neverArchived: basenameRules });
    } else {
      const agentId = extra.agentId ?? 'main';
      sources.push({ root, classify: (rel) => classifyAgentDirPath(rel, agentId), globPaths: (rel) => [rel], neverArchived: basenameRules });
    }
  }

  const covered = sources.some((source) => isInside(source.root.path, paths.configPath));
  if (!covered && config.exists) {
    n += 1;
    sources.push({
      root: { id: `external-${n}`, path: paths.configPath, archivePath: `${EXTERNAL_PREFIX}/${n}/${path.basename(paths.configPath)}`, role: 'config' },
      classify: () => 'config',
      globPaths: () => [path.basename(paths.configPath)],
      neverArchived: () => false,
    });
  }
  return sources;
}

export function entryName(root: SourceRoot, rel: string): string {
  return rel ? `${root.archivePath}/${rel}` : root.archivePath;
}
