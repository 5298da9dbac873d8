import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import type { StatePaths } from '../../config/paths.js';
import { UsageError } from '../../errors.js';
import { folderStore } from './folder-store.js';
import { resticStore } from './restic-store.js';
import { resolveRepository, type RepositoryFlags } from './resolve-repository.js';
import type { BackupStore } from './types.js';

export interface OpenStoreOptions {
  /** --output: an existing directory, or a new file in an existing directory (a local archive, whatever the config says). */
  output?: string | undefined;
  /** --repository / --repository-password-file. */
  repository?: RepositoryFlags | undefined;
  /** The environment engines (restic) start from; default process.env. */
  env?: NodeJS.ProcessEnv | undefined;
  /** The command's abort signal: a repository's restic children stop with it. */
  signal?: AbortSignal | undefined;
  /** What the user should hear while a repository is used (read-only, waiting for a lock). */
  onNotice?: ((message: string) => void) | undefined;
}

async function isDirectory(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/**
 * The store a command works on: --output when given (a local archive), else a restic repository when one is
 * flagged or configured (backup.repository), else the backups dir (backup.path).
 */
export async function openStore(paths: StatePaths, config: LoadedConfig, options: OpenStoreOptions = {}): Promise<BackupStore> {
  const allowedInside = [path.join(paths.stateDir, 'backups'), config.backupDir];
  const base = { stateDir: paths.stateDir, profile: paths.profile, allowedInside };
  if (!options.output) {
    const backupsDir = folderStore({ ...base, dir: config.backupDir });
    const resolved = resolveRepository(paths, config, options.repository, options.env);
    if (!resolved) return backupsDir;
    const repo = { ...resolved, onNotice: options.onNotice };
    return resticStore({
      repo,
      stateDir: paths.stateDir,
      profile: paths.profile,
      stateId: provisionalStateId(paths.stateDir),
      home: paths.home,
      signal: options.signal,
    });
  }
  const out = path.resolve(options.output);
  if (await isDirectory(out)) return folderStore({ ...base, dir: out, createDir: false });
  const exists = await fs.lstat(out).then(
    () => true,
    () => false,
  );
  if (exists) throw new UsageError(`output ${out} already exists; archives are never overwritten`);
  if (!(await isDirectory(path.dirname(out)))) throw new UsageError(`output directory ${path.dirname(out)} does not exist`);
  return folderStore({ ...base, dir: path.dirname(out), file: out, createDir: false });
}

/** Until the state identity lands: a stable id derived from the state dir's path. */
function provisionalStateId(stateDir: string): string {
  return createHash('sha256').update(stateDir).digest('hex').slice(0, 16);
}
