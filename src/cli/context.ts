import { loadConfig, type LoadConfigOptions, type LoadedConfig } from '../config/load.js';
import fs from 'node:fs/promises';
import { resolveStatePaths, type StatePaths } from '../config/paths.js';
import { escapeControl, escapeJsonText } from '../core/format.js';
import { resolveBackup, type ResolvedArchive } from '../core/store/resolve-backup.js';
import { openStore } from '../core/store/open-store.js';
import type { BackupStore } from '../core/store/types.js';
import type { DecryptionKey } from '../core/crypto/keys.js';
import type { RepositoryFlags } from '../core/store/resolve-repository.js';
import { ConfigError, UsageError } from '../errors.js';
import { fallbackConfig } from '../config/fallback.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from '../output/logger.js';

/** Options every command accepts: where OpenClaw lives. */
export interface GlobalOptions {
  stateDir?: string;
  profile?: string;
  config?: string;
  logLevel?: string;
}

export interface CommandIO {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Where `import -` reads a document from (process.stdin when absent). */
  stdin?: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

export function resolvePaths(globals: GlobalOptions, io: CommandIO): StatePaths {
  return resolveStatePaths({ stateDir: globals.stateDir, profile: globals.profile, config: globals.config, env: io.env });
}

export async function loadContext(
  globals: GlobalOptions,
  io: CommandIO,
  options?: LoadConfigOptions,
): Promise<{ paths: StatePaths; config: LoadedConfig }> {
  const paths = resolvePaths(globals, io);
  const config = await loadConfig(paths, options);
  return { paths, config };
}

/** --log-level, else $LOG_LEVEL (as pino users set it), else info. */
export function resolveLogLevel(globals: GlobalOptions, io: CommandIO): LogLevel {
  const [value, source] = globals.logLevel !== undefined ? [globals.logLevel, '--log-level'] : [io.env.LOG_LEVEL, 'LOG_LEVEL'];
  if (value === undefined || value === '') return 'info';
  const level = value.toLowerCase();
  if (!isLogLevel(level)) throw new UsageError(`${source}: expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return level;
}

/** What every command hands the store it opens: its environment, its abort signal, and stderr for notes. */
export function storeIO(io: CommandIO): { env: NodeJS.ProcessEnv; signal: AbortSignal; onNotice: (message: string) => void } {
  return { env: io.env, signal: io.signal, onNotice: (message) => io.stderr.write(`note: ${escapeControl(message)}\n`) };
}

export function printJson(io: CommandIO, value: unknown): void {
  io.stdout.write(`${escapeJsonText(JSON.stringify(value, null, 2))}\n`);
}

/**
 * What an archive argument names: a file anywhere (no config needed), else `latest`, a name, a prefix or a date
 * looked up in this state dir's store (which needs the config).
 */
export async function resolveArchiveArg(
  ref: string,
  globals: GlobalOptions,
  io: CommandIO,
  decrypt?: DecryptionKey,
  repository?: RepositoryFlags,
  onBrokenConfig?: (warning: string) => void,
): Promise<ResolvedArchive & { store: BackupStore | undefined }> {
  // Anything on disk but a directory is an archive path (a FIFO or device is then refused as not a regular file).
  if (
    await fs.stat(ref).then(
      (s) => !s.isDirectory(),
      () => false,
    )
  )
    return { input: ref, store: undefined };
  const paths = resolvePaths(globals, io);
  const config = await loadConfig(paths, { allowMissing: true }).catch(async (error: unknown) => {
    // restore is the way out of a broken config: it still finds `latest` where the backups must be, and says so.
    if (!onBrokenConfig || !(error instanceof ConfigError)) throw error;
    const fallback = await fallbackConfig(paths, error);
    onBrokenConfig(fallback.warning);
    return fallback.config;
  });
  const store = await openStore(paths, config, { repository, ...storeIO(io) });
  return { ...(await resolveBackup(store, ref, { decrypt })), store };
}
