import fs from 'node:fs/promises';
import JSON5 from 'json5';
import { ConfigError, describeFsError } from '../errors.js';
import { formatZodIssues } from './format-issues.js';
import { expandHome, type StatePaths } from './paths.js';
import { PLUGIN_ID } from './plugin-identity.js';
import { backupBlockSchema, type BackupBlock } from './schema.js';

export { PLUGIN_ID };
export const PLUGIN_KEY_PATH = `plugins.entries["${PLUGIN_ID}"].config`;

export type BlockLocation = 'top-level' | 'plugin' | 'none';

export interface LoadedConfig {
  /** The parsed openclaw.json, or {} when the file does not exist and that was allowed. */
  openclaw: Record<string, unknown>;
  exists: boolean;
  backup: BackupBlock;
  /** `backup.path` resolved to an absolute directory. */
  backupDir: string;
  location: BlockLocation;
  keyPrefix: string;
}

export interface LoadConfigOptions {
  /** When false (default) a missing config file is an error; `create` of a bare state dir allows it. */
  allowMissing?: boolean;
}

/** Reads openclaw.json (JSON5). Errors are one line naming the path. */
export async function readOpenClawConfig(
  configPath: string,
  allowMissing = false,
): Promise<{ data: Record<string, unknown>; exists: boolean }> {
  let text: string;
  try {
    text = await fs.readFile(configPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && allowMissing) return { data: {}, exists: false };
    throw new ConfigError(`cannot read config ${configPath}: ${describeFsError(error)}`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON5.parse(text);
  } catch (error) {
    const where = error instanceof SyntaxError ? error.message.replace(/^JSON5: /, '') : 'syntax error';
    throw new ConfigError(`${configPath}: not valid JSON5 (${where})`, { cause: error });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`${configPath}: expected a JSON5 object at the top level`);
  }
  return { data: data as Record<string, unknown>, exists: true };
}

function pluginBlock(openclaw: Record<string, unknown>): unknown {
  const plugins = openclaw.plugins as Record<string, unknown> | undefined;
  const entries = plugins?.entries as Record<string, unknown> | undefined;
  const entry = entries?.[PLUGIN_ID] as Record<string, unknown> | undefined;
  return entry?.config;
}

/** Finds the raw `backup` block in either place OpenClaw users may put it. Both present is an error. */
export function findBackupBlock(openclaw: Record<string, unknown>): { raw: unknown; location: BlockLocation; keyPrefix: string } {
  const top = openclaw.backup;
  const plugin = pluginBlock(openclaw);
  if (top !== undefined && plugin !== undefined) {
    throw new ConfigError(
      `backup: configured in two places, top-level "backup" and ${PLUGIN_KEY_PATH}; keep only one (OpenClaw 2026.9.x accepts only ${PLUGIN_KEY_PATH})`,
    );
  }
  if (plugin !== undefined) return { raw: plugin, location: 'plugin', keyPrefix: PLUGIN_KEY_PATH };
  if (top !== undefined) return { raw: top, location: 'top-level', keyPrefix: 'backup' };
  return { raw: {}, location: 'none', keyPrefix: 'backup' };
}

/** Validates a raw block; throws ConfigError listing every issue with its key path. */
export function parseBackupBlock(raw: unknown, keyPrefix = 'backup'): BackupBlock {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${keyPrefix}: expected an object`);
  }
  const result = backupBlockSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(formatZodIssues(result.error, keyPrefix, raw).join('; '), {
      details: { issues: formatZodIssues(result.error, keyPrefix, raw) },
    });
  }
  return result.data;
}

/** The one "no such state dir" error: create, list, status, the daemon and doctor all say it the same way (exit 2). */
export function missingStateDirError(stateDir: string): ConfigError {
  return new ConfigError(`state dir ${stateDir} does not exist (set --state-dir, OPENCLAW_STATE_DIR or --profile)`);
}

export async function requireStateDir(stateDir: string): Promise<void> {
  if (
    !(await fs.stat(stateDir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    throw missingStateDirError(stateDir);
}

/** Config pipeline: read → locate block → validate → resolve paths. */
export async function loadConfig(paths: StatePaths, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  if (!options.allowMissing) await requireStateDir(paths.stateDir);
  const { data, exists } = await readOpenClawConfig(paths.configPath, options.allowMissing ?? false);
  const { raw, location, keyPrefix } = findBackupBlock(data);
  const backup = parseBackupBlock(raw, keyPrefix);
  const backupDir = backup.path ? expandHome(backup.path, paths.home, paths.stateDir) : `${paths.stateDir}/backups`;
  return { openclaw: data, exists, backup, backupDir, location, keyPrefix };
}
