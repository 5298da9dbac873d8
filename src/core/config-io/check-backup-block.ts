import { findBackupBlock, parseBackupBlock } from '../../config/load.js';
import type { StatePaths } from '../../config/paths.js';
import { findPluginInstall } from '../../config/plugin-install.js';
import { pluginConfigSchema } from '../../config/plugin-manifest.js';
import { checkPluginSchema, formatSchemaProblems } from '../../config/plugin-schema-check.js';
import { ConfigError } from '../../errors.js';

/**
 * Before we write an openclaw.json: its backup block must load in our CLI and pass the plugin's JSON Schema, ours
 * and OpenClaw's installed copy (which may be older). A block OpenClaw rejects stops every `openclaw` command and
 * the gateway's start, and `openclaw doctor --fix` would then delete it.
 */
export async function assertBackupBlockWritable(openclaw: Record<string, unknown>, paths: StatePaths): Promise<void> {
  const { raw, location, keyPrefix } = findBackupBlock(openclaw);
  if (location === 'none') return;
  parseBackupBlock(raw, keyPrefix);
  const install = await findPluginInstall(paths.stateDir, openclaw, paths.home);
  const schemas = [{ schema: pluginConfigSchema(), whose: "this CLI's plugin schema" }];
  if (install?.configSchema)
    schemas.push({
      schema: install.configSchema,
      whose: `OpenClaw's copy of the plugin at ${install.root}${install.version ? ` (version ${install.version})` : ''}`,
    });
  for (const { schema, whose } of schemas) {
    const problems = checkPluginSchema(schema, raw);
    if (problems.length === 0) continue;
    const lines = formatSchemaProblems(problems, keyPrefix);
    throw new ConfigError(
      `the backup block would stop OpenClaw (${whose} rejects it): ${lines.join('; ')}; nothing written (update OpenClaw's copy: openclaw plugins install <this package> --force --accept-capabilities)`,
      { details: { issues: lines } },
    );
  }
}
