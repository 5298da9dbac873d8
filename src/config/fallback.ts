import { ConfigError } from '../errors.js';
import { findBackupBlock, readOpenClawConfig, type LoadedConfig } from './load.js';
import { expandHome, type StatePaths } from './paths.js';
import { backupBlockSchema } from './schema.js';

export interface FallbackConfig {
  config: LoadedConfig;
  /** One line for the user: why the config was not used and where backups are looked for instead. */
  warning: string;
}

/**
 * Where this state's backups are when the config does not load (a broken backup block, a JSON5 syntax error): the
 * `path` the broken block still names when it is a string, else `<stateDir>/backups`. Only for finding a backup to
 * restore from, which is the way out of a broken config; every other setting is the default.
 */
export async function fallbackConfig(paths: StatePaths, reason: ConfigError): Promise<FallbackConfig> {
  let openclaw: Record<string, unknown> = {};
  let exists = false;
  let block: Record<string, unknown> = {};
  let location: LoadedConfig['location'] = 'none';
  let keyPrefix = 'backup';
  try {
    ({ data: openclaw, exists } = await readOpenClawConfig(paths.configPath, true));
    const found = findBackupBlock(openclaw);
    if (found.raw !== null && typeof found.raw === 'object' && !Array.isArray(found.raw)) block = found.raw as Record<string, unknown>;
    ({ location, keyPrefix } = found);
  } catch {
    // Unreadable or both places set: nothing of the block can be trusted, the default place is all there is.
  }
  const named = typeof block.path === 'string' && block.path.trim() !== '' ? block.path : undefined;
  const backupDir = named ? expandHome(named, paths.home, paths.stateDir) : `${paths.stateDir}/backups`;
  const backup = backupBlockSchema.parse(named ? { path: named } : {});
  const where = named ? `${backupDir}, the ${keyPrefix}.path the broken block names` : `${backupDir}, the default backups dir`;
  return {
    config: { openclaw, exists, backup, backupDir, location, keyPrefix },
    warning: `the config does not load (${reason.message}); looking for backups in ${where}`,
  };
}
