import fs from 'node:fs/promises';
import JSON5 from 'json5';
import { findBackupBlock, parseBackupBlock } from '../../config/load.js';
import type { StatePaths } from '../../config/paths.js';
import { ConfigError, describeFsError } from '../../errors.js';
import { assertGatewayStopped } from '../gateway/detect.js';
import { parseVersionedDocument } from '../sessions/parse-document.js';
import { planAuthWrite, writeAuthStores, writesDatabases } from './auth-stores.js';
import { assertBackupBlockWritable } from './check-backup-block.js';
import { diffConfigs, type ConfigChange } from './diff-summary.js';
import { CONFIG_FORMAT, CONFIG_VERSION, configDocumentSchema, type ConfigDocument } from './document.js';
import { findPlaceholders, formatPath, mergeBackSecrets } from './secrets.js';
import { hasJson5Comments, writeConfigFile } from './write-config.js';

export function parseConfigDocument(text: string, source: string): ConfigDocument {
  return parseVersionedDocument(text, source, CONFIG_FORMAT, CONFIG_VERSION, configDocumentSchema) as ConfigDocument;
}

export interface ImportConfigOptions {
  paths: StatePaths;
  doc: ConfigDocument;
  dryRun: boolean;
  onWarning: (message: string) => void;
}

export interface ImportConfigResult {
  changes: ConfigChange[];
  /** Secrets the document had as placeholders, kept from the current config. */
  keptSecrets: string[];
  backup?: string;
  auth: { stateDbRows: number; agents: string[]; credentials: number } | undefined;
  written: boolean;
}

async function readCurrent(configPath: string): Promise<{ text?: string; data: Record<string, unknown> }> {
  let text: string;
  try {
    text = await fs.readFile(configPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { data: {} };
    throw new ConfigError(`cannot read config ${configPath}: ${describeFsError(error)}`, { cause: error });
  }
  try {
    return { text, data: JSON5.parse(text) as Record<string, unknown> };
  } catch {
    // An unreadable current config cannot give secrets back, but it can still be replaced (and is kept as .bak).
    return { text, data: {} };
  }
}

/**
 * The imported config's backup block must pass the schema every command loads it with: a block that would make every
 * later command (and the nightly run) exit 2 is refused now, naming the key, before anything is written.
 */
function assertBackupBlockValid(config: Record<string, unknown>): void {
  try {
    const { raw, keyPrefix } = findBackupBlock(config);
    parseBackupBlock(raw, keyPrefix);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(`the document's config is refused, nothing was written: ${error.message}`, {
      cause: error,
      details: error.details,
    });
  }
}

/**
 * Imports a config document: placeholders get the current real values back (or the import is refused), the old
 * file goes into the .bak ring, the new one is written atomically with mode 0600, then the auth stores.
 */
export async function importConfig(options: ImportConfigOptions): Promise<ImportConfigResult> {
  const { paths, doc } = options;
  const authPlaceholders = doc.auth ? findPlaceholders(doc.auth).map((p) => formatPath(['auth', ...p])) : [];
  if (authPlaceholders.length)
    throw new ConfigError(
      `the document's auth bundle has placeholder secrets (${authPlaceholders.join(', ')}); export it again with --full`,
    );
  const current = await readCurrent(paths.configPath);
  const merged = mergeBackSecrets(doc.config, current.data);
  if (merged.missing.length) {
    throw new ConfigError(
      `the document has placeholder secrets that the current config has no value for: ${merged.missing.join(', ')}; export with --include-secrets, or set them here first`,
      { details: { missing: merged.missing } },
    );
  }
  assertBackupBlockValid(merged.value);
  await assertBackupBlockWritable(merged.value, paths);
  const changes = diffConfigs(current.data, merged.value);
  const auth = doc.auth;
  if (auth) planAuthWrite(paths.stateDir, merged.value, auth);
  const authSummary = auth
    ? {
        stateDbRows: Object.values(auth.stateDb).reduce((n, rows) => n + rows.length, 0),
        agents: Object.keys(auth.agents),
        credentials: auth.credentials.length,
      }
    : undefined;
  const result: ImportConfigResult = { changes, keptSecrets: merged.kept, auth: authSummary, written: false };
  if (current.text !== undefined && hasJson5Comments(current.text)) {
    options.onWarning(
      `${paths.configPath} has JSON5 comments; the imported config is written as plain JSON and they are not kept (the old file goes to ${paths.configPath}.bak)`,
    );
  }
  if (options.dryRun) return result;
  if (auth && writesDatabases(auth))
    await assertGatewayStopped({ stateDir: paths.stateDir, openclaw: current.data, action: 'write auth profiles into the state database' });
  const { backup } = await writeConfigFile(paths.configPath, merged.value, current.text);
  if (auth) await writeAuthStores(paths.stateDir, merged.value, auth);
  return { ...result, ...(backup ? { backup } : {}), written: true };
}
