import { fileURLToPath } from 'node:url';
import type { PluginApi } from './openclaw-api.js';

/** Our CLI beside this entry (dist/plugin/entry.js → dist/cli/main.js): the plugin copy and its CLI are one version. */
export const OUR_CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/**
 * `--state-dir` for our CLI: the state dir OpenClaw itself resolved (its `--profile` also sets OPENCLAW_STATE_DIR
 * and OPENCLAW_CONFIG_PATH in the environment the child inherits). Empty when the host does not say.
 */
export function stateDirArgs(api: PluginApi, env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    const dir = api.runtime?.state?.resolveStateDir?.(env);
    return typeof dir === 'string' && dir ? ['--state-dir', dir] : [];
  } catch {
    // cli-metadata and setup-only loads have no runtime: the environment alone says where the state is.
    return [];
  }
}
