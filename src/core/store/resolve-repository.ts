import fs from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import { expandHome, type StatePaths } from '../../config/paths.js';
import { ConfigError, describeFsError, UsageError } from '../../errors.js';
import { DEFAULT_RESTIC_LIMITS } from './restic-limits.js';
import { localPathOf, stripCredentials, type ResticPassword, type ResticRepository } from './restic-repository.js';

/** --repository / --repository-password-file: one-off use of a repository, overriding backup.repository. */
export interface RepositoryFlags {
  repository?: string | undefined;
  repositoryPasswordFile?: string | undefined;
  /**
   * Commands that only read backups (list, ls, info, find, diff, verify, restore) also take restic's own
   * RESTIC_REPOSITORY / RESTIC_REPOSITORY_FILE and password variables when no flag or config names a repository, as
   * restic does: a new machine needs nothing but the repository and its password. Commands that write (create, run,
   * the daemon, prune) never do: where backups go must not depend on a shell's environment.
   */
  fromEnv?: boolean | undefined;
}

/** restic's own password variables, in restic's order of precedence. */
function envPassword(env: NodeJS.ProcessEnv): { password: ResticPassword; key: string } | undefined {
  if (env.RESTIC_PASSWORD_FILE) return { password: { file: path.resolve(env.RESTIC_PASSWORD_FILE) }, key: 'RESTIC_PASSWORD_FILE' };
  if (env.RESTIC_PASSWORD_COMMAND) return { password: { command: env.RESTIC_PASSWORD_COMMAND }, key: 'RESTIC_PASSWORD_COMMAND' };
  if (env.RESTIC_PASSWORD) return { password: { env: 'RESTIC_PASSWORD' }, key: 'RESTIC_PASSWORD' };
  return undefined;
}

/** RESTIC_REPOSITORY, else the first line of RESTIC_REPOSITORY_FILE (restic trims it the same way). */
async function envRepository(env: NodeJS.ProcessEnv): Promise<{ url: string; key: string } | undefined> {
  if (env.RESTIC_REPOSITORY) return { url: env.RESTIC_REPOSITORY, key: 'RESTIC_REPOSITORY' };
  const file = env.RESTIC_REPOSITORY_FILE;
  if (!file) return undefined;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`RESTIC_REPOSITORY_FILE: cannot read ${file}: ${describeFsError(error)}`, { cause: error });
  }
  const url = text.trim();
  if (!url) throw new ConfigError(`RESTIC_REPOSITORY_FILE: ${file} is empty`);
  return { url, key: 'RESTIC_REPOSITORY_FILE' };
}

/**
 * The repository a command uses: the flags, else backup.repository, else (reading commands) restic's environment;
 * undefined when none names one. A flag's password file wins over the configured password, which wins over
 * restic's password variables; a repository without any password is a usage error.
 */
export async function resolveRepository(
  paths: StatePaths,
  config: LoadedConfig,
  flags: RepositoryFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResticRepository | undefined> {
  const configured = config.backup.repository;
  const prefix = `${config.keyPrefix}.repository`;
  const fromEnv = !flags.repository && !configured?.url && flags.fromEnv ? await envRepository(env) : undefined;
  const url = flags.repository ?? configured?.url ?? fromEnv?.url;
  if (!url) {
    if (flags.repositoryPasswordFile)
      throw new UsageError(`--repository-password-file: no repository to open; pass --repository URL (or set ${prefix})`);
    return undefined;
  }
  const expand = (file: string) => expandHome(file, paths.home, paths.stateDir);
  const fromRestic = flags.fromEnv || flags.repository ? envPassword(env) : undefined;
  let password: ResticPassword;
  let passwordKey: string;
  if (flags.repositoryPasswordFile) {
    password = { file: path.resolve(flags.repositoryPasswordFile) };
    passwordKey = '--repository-password-file';
  } else if (configured?.passwordFile) {
    password = { file: expand(configured.passwordFile) };
    passwordKey = `${prefix}.passwordFile`;
  } else if (configured?.passwordEnv) {
    password = { env: configured.passwordEnv };
    passwordKey = `${prefix}.passwordEnv`;
  } else if (fromRestic) {
    password = fromRestic.password;
    passwordKey = fromRestic.key;
  } else {
    const named = fromEnv ? fromEnv.key : '--repository';
    throw new UsageError(
      `${named}: pass --repository-password-file FILE too (the repository password, in a file of mode 0600), or set RESTIC_PASSWORD_FILE or RESTIC_PASSWORD_COMMAND`,
    );
  }
  const keyPath = flags.repository ? '--repository' : configured?.url ? prefix : (fromEnv?.key as string);
  const local = localPathOf(url);
  const fullUrl = local && !url.startsWith('local:') ? (configured?.url && !flags.repository ? expand(url) : path.resolve(url)) : url;
  const globalArgs: string[] = [];
  if (configured?.cacert) globalArgs.push('--cacert', expand(configured.cacert));
  for (const [key, value] of Object.entries(configured?.options ?? {})) globalArgs.push('-o', `${key}=${value}`);
  return {
    url: fullUrl,
    location: stripCredentials(fullUrl),
    password,
    passwordKey,
    keyPath,
    globalArgs,
    env,
    limits: configured
      ? {
          commandTimeoutMs: configured.commandTimeout,
          stallTimeoutMs: configured.stallTimeout,
          lockWaitMs: configured.lockWait,
          keyPath: prefix,
        }
      : { ...DEFAULT_RESTIC_LIMITS, keyPath: prefix },
  };
}
