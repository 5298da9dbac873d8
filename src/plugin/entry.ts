import { PLUGIN_DESCRIPTION, PLUGIN_ID, PLUGIN_NAME } from '../config/plugin-identity.js';
import type { PluginApi } from './openclaw-api.js';
import { registerRootCommand } from './register-command.js';
import { registerStatusMethod } from './register-status-method.js';

/**
 * The OpenClaw plugin entry (package.json `openclaw.extensions`). It runs inside the gateway and in every
 * `openclaw` CLI process, so it loads nothing heavy and does no backup work: `openclaw backups …` and the status
 * method start our CLI as a child process. The daemon stays a separate process. `register` never throws: a failure
 * is logged and the gateway starts without us.
 */
function register(api: PluginApi): void {
  try {
    // Registrations only: nothing here reads a file or starts a process. The action and the method handler start
    // our CLI when they are invoked. OpenClaw runs `openclaw backups …` from a discovery-mode load, so the command
    // is registered in every mode; cli-metadata loads take CLI descriptors only.
    registerRootCommand(api);
    if (api.registrationMode === 'cli-metadata') return;
    // The manifest's dashboard binding names this method: every load that checks the binding must find it.
    registerStatusMethod(api);
  } catch (error) {
    try {
      api.logger?.error?.(`${PLUGIN_ID}: registration failed: ${error instanceof Error ? error.message : String(error)}`);
    } catch {
      // A logger that throws must not take the gateway down with us either.
    }
  }
}

export default { id: PLUGIN_ID, name: PLUGIN_NAME, description: PLUGIN_DESCRIPTION, register };
