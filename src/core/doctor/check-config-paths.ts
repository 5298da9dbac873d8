import path from 'node:path';
import { discoverConfiguredRoots } from '../../config/workspaces.js';
import { ok, type DoctorCheck, type DoctorFinding } from './types.js';
import { existsFollowingLinks } from '../fs/exists.js';

const ID = 'config-paths';

/** For /home/old/.openclaw/workspace, the same place under this state dir, when that exists. */
async function localEquivalent(missing: string, stateDir: string): Promise<string | undefined> {
  const parts = missing.split(path.sep);
  const index = parts.findIndex((part) => /^\.openclaw(-.+)?$/.test(part));
  if (index < 0) return undefined;
  const candidate = path.join(stateDir, ...parts.slice(index + 1));
  return (await existsFollowingLinks(candidate)) ? candidate : undefined;
}

/** Workspaces and agent dirs the config names must exist here (a copied config keeps the old machine's paths). */
export const checkConfigPaths: DoctorCheck = async (context) => {
  if (!context.config?.exists) return [];
  const { stateDir, home } = context.paths;
  const findings: DoctorFinding[] = [];
  const roots = discoverConfiguredRoots(context.config.openclaw, stateDir, home).filter((root) => root.keyPath !== '(default workspace)');
  for (const root of roots) {
    if (await existsFollowingLinks(root.path)) continue;
    const local = await localEquivalent(root.path, stateDir);
    findings.push({
      id: ID,
      level: 'error',
      message: `${root.keyPath} = ${root.path} does not exist (a path from another machine?)`,
      fix: local ? `openclaw config set ${root.keyPath} ${local}` : `create it, or point ${root.keyPath} at a directory on this machine`,
    });
  }
  if (context.config.backup.path && !(await existsFollowingLinks(path.dirname(context.backupDir)))) {
    findings.push({
      id: ID,
      level: 'error',
      message: `${context.config.keyPrefix}.path = ${context.backupDir}: its parent does not exist`,
      fix: `mkdir -p ${path.dirname(context.backupDir)}, or change ${context.config.keyPrefix}.path`,
    });
  }
  if (findings.length === 0) findings.push(ok(ID, `every path the config names exists (${roots.length} workspace/agent dirs)`));
  return findings;
};
