import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { expandHome, type StatePaths } from '../config/paths.js';
import { localPathOf } from '../core/store/restic-repository.js';

/** What the sandboxed unit (ProtectSystem=strict) must be able to write besides the state and backups dirs. */
export interface SandboxPaths {
  /** Directories for ReadWritePaths= (missing ones are optional). */
  writable: string[];
  /** Of those, what install creates first (a missing "-" entry stays read-only, and so does its parent). */
  create: string[];
  /** Environment the unit sets so the daemon uses the dirs the sandbox allows. */
  environment: Record<string, string>;
  warnings: string[];
}

/**
 * The caches in `$XDG_CACHE_HOME` (`~/.cache`) the unit writes: restic's (its default cache dir) and ours (the hash
 * cache and staging of a repository backup). The unit declares them as CacheDirectory=, so systemd creates them and
 * opens them in the sandbox, under whatever XDG_CACHE_HOME the user manager gives the daemon.
 */
export const CACHE_DIRECTORIES = ['restic', 'openclaw-backup'];

/**
 * The metrics file's dir, a local repository, and a RESTIC_CACHE_DIR set at install time (written into the unit,
 * so the daemon's restic uses exactly the dir the sandbox lets it write).
 */
export function sandboxPathsFor(paths: StatePaths, config: LoadedConfig, env: NodeJS.ProcessEnv): SandboxPaths {
  const writable: string[] = [];
  const create: string[] = [];
  const warnings: string[] = [];
  const environment: Record<string, string> = {};
  const expand = (file: string) => expandHome(file, paths.home, paths.stateDir);
  const metrics = config.backup.metricsFile;
  if (metrics) writable.push(path.dirname(expand(metrics)));
  const repository = config.backup.repository;
  const local =
    repository &&
    localPathOf(repository.url) &&
    (repository.url.startsWith('local:') ? localPathOf(repository.url) : expand(repository.url));
  if (local) {
    writable.push(local);
    if (!existsSync(local))
      warnings.push(
        `the repository ${local} does not exist yet, and the service's sandbox cannot create it: run \`openclaw-backup repository init\`, then service install again`,
      );
  }
  const resticCache = env.RESTIC_CACHE_DIR;
  if (resticCache && path.isAbsolute(resticCache)) {
    writable.push(resticCache);
    create.push(resticCache);
    environment.RESTIC_CACHE_DIR = resticCache;
  }
  return { writable, create, environment, warnings };
}
