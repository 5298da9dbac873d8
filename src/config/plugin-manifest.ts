import { z } from 'zod';
import {
  DEFAULT_BACKUPS_DIR,
  PLUGIN_DESCRIPTION,
  PLUGIN_ID,
  PLUGIN_NAME,
  ROOT_COMMAND,
  ROOT_COMMAND_DESCRIPTION,
  STATUS_METHOD,
} from './plugin-identity.js';
import { backupBlockSchema } from './schema.js';

/**
 * openclaw.plugin.json, written from the one schema by `npm run docs:config` (a test fails when the committed file
 * drifts). OpenClaw validates our block against `configSchema` on every config read and write, and a block it
 * rejects stops every `openclaw` command and the gateway's cold start. So the JSON Schema says only what is true of
 * every block some version of ours accepts:
 * - no object forbids unknown keys: the copy in <state>/extensions/ can be older than the CLI, and a key a newer
 *   CLI added must not stop the gateway (our own loader still rejects unknown keys: a typo is ours to report);
 * - no defaults: OpenClaw fills schema defaults into the config it hands around, and ours are applied by our
 *   loader (some are in output units: a duration default in ms would read as seconds);
 * - refinements zod cannot express in JSON Schema (cron syntax, time zones, component names, age recipients,
 *   ping URLs, which keys go together) are left to our loader and `doctor`.
 */

type JsonSchema = Record<string, unknown>;

/** Our own `.meta()` keys (docs generation): not JSON Schema, not for OpenClaw. */
const DOC_META_KEYS = new Set(['exampleValues', 'defaultText', 'exampleCommented']);

function relax(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relax);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (DOC_META_KEYS.has(key) || key === 'default' || key === '$schema') continue;
    // A strict object (properties + additionalProperties: false) becomes open; a record (additionalProperties
    // holding the value schema) keeps its value type.
    if (key === 'additionalProperties' && value === false && 'properties' in node) continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as JsonSchema).map(([k, v]) => [k, relax(v)])) : relax(value);
  }
  return out;
}

/** The backup block as OpenClaw validates it: `configSchema` of openclaw.plugin.json. */
export function pluginConfigSchema(): JsonSchema {
  return relax(z.toJSONSchema(backupBlockSchema, { io: 'input', unrepresentable: 'any' })) as JsonSchema;
}

/** The whole manifest. Everything but `configSchema` is static. */
export function renderPluginManifest(): JsonSchema {
  return {
    id: PLUGIN_ID,
    name: PLUGIN_NAME,
    description: PLUGIN_DESCRIPTION,
    configSchema: pluginConfigSchema(),
    // Without it 2026.9.6 does not load us at gateway start, and the status method does not exist.
    activation: { onStartup: true },
    // Our archives are backups already: OpenClaw's own `backup create` need not copy them again.
    backupResources: [{ disposition: 'regenerable', scope: 'state', relativePath: DEFAULT_BACKUPS_DIR }],
    // Root help and command routing read this row without running our code.
    cliCommands: [{ name: ROOT_COMMAND, description: ROOT_COMMAND_DESCRIPTION, hasSubcommands: true }],
    dashboard: {
      dataBindings: [
        {
          id: 'status',
          method: STATUS_METHOD,
          description: 'openclaw-backup status: last run, next run, overdue, archives (count, bytes, newest), last error, daemon.',
        },
      ],
    },
  };
}

/** The file's text, as committed. */
export function renderPluginManifestText(): string {
  return `${JSON.stringify(renderPluginManifest(), null, 2)}\n`;
}
