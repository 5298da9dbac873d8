import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBackupBlock, PLUGIN_KEY_PATH, readOpenClawConfig } from '../../config/load.js';
import { isInside } from '../../config/paths.js';
import { DEFAULT_BACKUPS_DIR, PLUGIN_ID } from '../../config/plugin-identity.js';
import { findPluginInstall, pluginEntry, type PluginInstall } from '../../config/plugin-install.js';
import { pluginConfigSchema } from '../../config/plugin-manifest.js';
import { checkPluginSchema, formatSchemaProblems } from '../../config/plugin-schema-check.js';
import { toolVersion } from '../version.js';
import { ok, type DoctorCheck, type DoctorContext, type DoctorFinding } from './types.js';

/** This package's root (dist/core/doctor → ../../..): what `openclaw plugins install` is given. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
const INSTALL = `openclaw plugins install ${PACKAGE_ROOT} --force --accept-capabilities`;

function describeInstall(install: PluginInstall): string {
  return `${install.kind === 'link' ? 'linked to' : 'copied to'} ${install.root}${install.version ? ` (version ${install.version})` : ''}`;
}

/** The newest file of OpenClaw's .bak ring that still holds our block: where a removed block can be taken back from. */
async function findBlockInBackups(configPath: string): Promise<string | undefined> {
  for (const suffix of ['.bak', '.bak.1', '.bak.2', '.bak.3', '.bak.4']) {
    const file = `${configPath}${suffix}`;
    const read = await readOpenClawConfig(file).catch(() => undefined);
    if (read && pluginEntry(read.data).hasConfig) return file;
  }
  return undefined;
}

async function checkInstalled(
  context: DoctorContext,
  openclaw: Record<string, unknown>,
  install: PluginInstall | undefined,
): Promise<DoctorFinding> {
  const entry = pluginEntry(openclaw);
  if (!install) {
    return {
      id: 'plugin',
      level: 'warn',
      message: `OpenClaw has no openclaw-backup plugin: it calls our block a stale entry ("plugin not found"), does not check it, and its own \`openclaw backup create\` copies ${DEFAULT_BACKUPS_DIR}/`,
      fix: `${INSTALL} (add --link to follow this CLI's updates), then restart the gateway`,
    };
  }
  if (entry.enabled === false) {
    const removed = !entry.hasConfig ? await findBlockInBackups(context.paths.configPath) : undefined;
    return {
      id: 'plugin',
      level: 'warn',
      message:
        `the plugin is ${describeInstall(install)} but disabled (plugins.entries["${PLUGIN_ID}"].enabled is false)` +
        (removed
          ? `, and the backup block is gone: \`openclaw doctor --fix\` or \`openclaw plugins uninstall\` removed it; ${removed} still has it`
          : ''),
      fix: `openclaw plugins enable ${PLUGIN_ID}${removed ? `, and put the block back at ${PLUGIN_KEY_PATH} from ${removed}` : ''}`,
    };
  }
  return ok('plugin', `the plugin is ${describeInstall(install)} and enabled`);
}

/** Does OpenClaw's copy of our schema accept the block? A rejected block stops every openclaw command and the gateway. */
function checkSchema(context: DoctorContext, openclaw: Record<string, unknown>, install: PluginInstall): DoctorFinding {
  const theirs = install.configSchema;
  if (!theirs) {
    return { id: 'plugin-schema', level: 'error', message: `${install.root}/openclaw.plugin.json has no configSchema`, fix: INSTALL };
  }
  let raw: unknown;
  try {
    raw = findBackupBlock(openclaw).raw;
  } catch {
    raw = undefined;
  }
  const problems = raw === undefined ? [] : checkPluginSchema(theirs, raw);
  const same = isDeepStrictEqual(theirs, pluginConfigSchema());
  if (problems.length) {
    return {
      id: 'plugin-schema',
      level: 'error',
      message: `OpenClaw rejects the backup block (its copy ${describeInstall(install)}): ${formatSchemaProblems(problems, PLUGIN_KEY_PATH).join('; ')}; every openclaw command and the gateway's start refuse to run until it is fixed (\`openclaw doctor --fix\` would delete the whole block)`,
      fix: same ? `fix the value(s) above in ${context.paths.configPath}` : `fix the value(s) above, or update OpenClaw's copy: ${INSTALL}`,
    };
  }
  if (!same) {
    return {
      id: 'plugin-schema',
      level: 'warn',
      message: `OpenClaw's copy of our schema (${describeInstall(install)}) differs from this CLI's (version ${toolVersion()}); it accepts the current block`,
      fix: `${INSTALL} (or install with --link so both stay one)`,
    };
  }
  return ok('plugin-schema', `OpenClaw's copy of our schema matches this CLI's (version ${toolVersion()})`);
}

/** backupResources can name only the default dir: a backups dir elsewhere in the state dir goes into OpenClaw's backups. */
function checkBackupsDir(context: DoctorContext): DoctorFinding | undefined {
  const { stateDir } = context.paths;
  const dir = path.resolve(context.backupDir);
  if (!isInside(stateDir, dir) || isInside(path.join(stateDir, DEFAULT_BACKUPS_DIR), dir)) return undefined;
  return {
    id: 'plugin-backups-dir',
    level: 'warn',
    message: `backup.path ${dir} is inside the state dir but not ${DEFAULT_BACKUPS_DIR}/: OpenClaw's own \`openclaw backup create\` copies every archive in it`,
    fix: `use the default (${path.join(stateDir, DEFAULT_BACKUPS_DIR)}) or a dir outside ${stateDir}`,
  };
}

/** Is OpenClaw's plugin installed and enabled, and does its copy of our schema match ours and accept the block? */
export const checkPlugin: DoctorCheck = async (context) => {
  const read = await readOpenClawConfig(context.paths.configPath, true).catch(() => undefined);
  if (!read?.exists) return [];
  const install = await findPluginInstall(context.paths.stateDir, read.data, context.paths.home);
  const findings = [await checkInstalled(context, read.data, install)];
  if (install) findings.push(checkSchema(context, read.data, install));
  const dir = checkBackupsDir(context);
  if (dir) findings.push(dir);
  return findings;
};
