import type { StatePaths } from '../../config/paths.js';
import type { RestoreSelection } from './selection.js';
import { namingOf } from '../verify/check-root-config.js';
import type { ScanResult } from '../verify/scan-archive.js';
import { checkDestinations, checkNamedByLiveConfig, resolveDestinations } from './destinations.js';
import type { PlaceRootsOptions } from './place-roots.js';
import { planRestore } from './stage.js';

export interface DestinationPlan {
  /** The placement options with every destination resolved on the live file system. */
  place: PlaceRootsOptions;
  /** The user's links (relative to the target) a full restore carries into the restored state. */
  carry: string[];
  notes: string[];
}

/**
 * Decides, before anything is written, where every root goes: placed from the paths the config names, resolved
 * through the user's own links, checked against the rules no archive can bend (home, target, backups dir, overlaps),
 * and — when this restore leaves the live config in effect — named by that config.
 */
export async function planDestinations(options: {
  scan: ScanResult;
  place: PlaceRootsOptions;
  only: RestoreSelection | undefined;
  namedTarget: string;
  paths: StatePaths;
  live: Record<string, unknown> | undefined;
  backupDir: string;
}): Promise<DestinationPlan> {
  const { scan, place } = options;
  const plan = planRestore(scan, place, options.only);
  const resolved = await resolveDestinations(plan.roots, place.target, options.namedTarget, place.copy);
  await checkDestinations(resolved.roots, place.target, options.paths.home, options.backupDir);
  const naming = namingOf(scan.layout?.format, scan.header, scan.manifest, scan.layout?.prefix ?? '');
  const configRestored = naming !== undefined && plan.selected.some((entry) => entry.name === naming.configEntry);
  if (!place.copy && !configRestored) {
    await checkNamedByLiveConfig(resolved.roots, options.live, options.paths.stateDir, options.paths.home, options.paths.configPath);
  }
  const overrides = new Map(resolved.roots.map((root) => [root.id, { destination: root.destination, via: root.via }]));
  return { place: { ...place, resolved: overrides }, carry: resolved.carry, notes: resolved.notes };
}
