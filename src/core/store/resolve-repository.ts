import path from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import { expandHome, type StatePaths } from '../../config/paths.js';
import { UsageError } from '../../errors.js';
import { DEFAULT_RESTIC_LIMITS } from './restic-limits.js';
import { localPathOf, stripCredentials, type ResticPassword, type ResticRepository } from './restic-repository.js';

/** --repository / --repository-password-file: one-off use of a repository, overriding backup.repository. */
export interface RepositoryFlags {
  repository?: string | undefined;
  repositoryPasswordFile?: string | undefined;
}

/**
 * The repository a command uses: the flags, else backup.repository; undefined when neither names one. A flag's
 * password file wins over the configured password; a flagged URL without any password is a usage error.
 */
export function resolveRepository(
  paths: StatePaths,
  config: LoadedConfig,
  flags: RepositoryFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): ResticRepository | undefined {
  const configured = config.backup.repository;
  const prefix = `${config.keyPrefix}.repository`;
  const url = flags.repository ?? configured?.url;
  if (!url) {
    if (flags.repositoryPasswordFile)
      throw new UsageError(`--repository-password-file: no repository to open; pass --repository URL (or set ${prefix})`);
    return undefined;
  }
  const expand = (file: string) => expandHome(file, paths.home, paths.stateDir);
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
  } else {
    throw new UsageError('--repository: pass --repository-password-file FILE too (the repository password, in a file of mode 0600)');
  }
  const local = localPathOf(url);
  const fullUrl = local && !url.startsWith('local:') ? (flags.repository ? path.resolve(url) : expand(url)) : url;
  const globalArgs: string[] = [];
  if (configured?.cacert) globalArgs.push('--cacert', expand(configured.cacert));
  for (const [key, value] of Object.entries(configured?.options ?? {})) globalArgs.push('-o', `${key}=${value}`);
  return {
    url: fullUrl,
    location: stripCredentials(fullUrl),
    password,
    passwordKey,
    keyPath: flags.repository ? '--repository' : prefix,
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
