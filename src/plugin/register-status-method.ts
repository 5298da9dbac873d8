import { STATUS_METHOD } from '../config/plugin-identity.js';
import type { PluginApi } from './openclaw-api.js';
import { stateDirArgs } from './our-cli.js';
import { coalesce, readStatus, StatusReadError } from './read-status.js';

/**
 * `openclaw-backup.status` (scope operator.read): what `openclaw-backup status --json` prints — last run, next run,
 * overdue, archives, last error, daemon — read by a child process, never by the gateway itself.
 */
export function registerStatusMethod(api: PluginApi): void {
  const read = coalesce(() => readStatus(stateDirArgs(api)));
  api.registerGatewayMethod?.(
    STATUS_METHOD,
    async ({ respond }) => {
      try {
        respond(true, await read());
      } catch (error) {
        const exitCode = error instanceof StatusReadError ? error.exitCode : null;
        respond(false, undefined, {
          code: 'UNAVAILABLE',
          message: error instanceof Error ? error.message : String(error),
          details: { exitCode },
        });
      }
    },
    { scope: 'operator.read' },
  );
}
