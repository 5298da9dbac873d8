import { findBackupBlock } from './load.js';
import { expandHome } from './paths.js';

/**
 * The symlinks a config's `followLinks` names, as absolute paths (relative ones are relative to the state dir):
 * a `linkTarget` root of an archive is restored only where such a link of the config in effect leads.
 */
export function followedLinkPaths(openclaw: Record<string, unknown>, stateDir: string, home: string): string[] {
  let raw: unknown;
  try {
    raw = findBackupBlock(openclaw).raw;
  } catch {
    return [];
  }
  const list = raw !== null && typeof raw === 'object' ? (raw as { followLinks?: unknown }).followLinks : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter((item): item is string => typeof item === 'string' && item !== '').map((item) => expandHome(item, home, stateDir));
}
