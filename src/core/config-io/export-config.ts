import type { StatePaths } from '../../config/paths.js';
import { readOpenClawConfig } from '../../config/load.js';
import { readAuthStores } from './auth-stores.js';
import { CONFIG_FORMAT, CONFIG_VERSION, type ConfigDocument } from './document.js';
import { redactSecrets } from './secrets.js';

export interface ExportConfigOptions {
  paths: StatePaths;
  includeSecrets: boolean;
  /** Add credentials and auth profiles; implies includeSecrets. */
  full: boolean;
}

/** The active config as a versioned document, secrets replaced by the placeholder unless asked for. */
export async function exportConfig(options: ExportConfigOptions): Promise<ConfigDocument> {
  const { data } = await readOpenClawConfig(options.paths.configPath);
  const base = { format: CONFIG_FORMAT, version: CONFIG_VERSION } as const;
  if (options.full) return { ...base, secrets: 'included', config: data, auth: readAuthStores(options.paths.stateDir, data) };
  if (options.includeSecrets) return { ...base, secrets: 'included', config: data };
  const { value, paths } = redactSecrets(data);
  return { ...base, secrets: 'redacted', ...(paths.length ? { redacted: paths } : {}), config: value };
}
