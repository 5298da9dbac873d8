import path from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import type { StatePaths } from '../../config/paths.js';
import { discoverConfiguredRoots } from '../../config/workspaces.js';

/** Ends every warning that is about the configuration rather than this run: the daemon says those once per config. */
export const SEE_DOCTOR = 'see `openclaw-backup doctor`';

/**
 * One line for the workspaces and agent dirs the config names that do not exist here (a config copied from
 * another machine), saying what is backed up instead: <stateDir>/workspace goes with the state dir.
 */
export function describeMissingRoots(
  missing: Array<{ path: string; role: string }>,
  paths: StatePaths,
  config: LoadedConfig,
  stateWorkspaceExists: boolean,
): string | undefined {
  if (missing.length === 0) return undefined;
  const keyOf = new Map(discoverConfiguredRoots(config.openclaw, paths.stateDir, paths.home).map((root) => [root.path, root.keyPath]));
  const named = missing.map((source) => {
    const key = keyOf.get(source.path);
    return key && !key.startsWith('(') ? `${key} = ${source.path}` : `${source.role} ${source.path}`;
  });
  const workspaceMissing = missing.some((source) => source.role === 'workspace');
  const instead =
    workspaceMissing && stateWorkspaceExists
      ? `skipped; ${path.join(paths.stateDir, 'workspace')} is backed up with the state dir`
      : 'skipped';
  const verb = missing.length === 1 ? 'does' : 'do';
  return `${named.join(', ')} ${verb} not exist on this machine: ${instead} (${SEE_DOCTOR})`;
}
