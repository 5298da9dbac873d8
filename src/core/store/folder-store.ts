import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { BackupError, describeFsError, UsageError } from '../../errors.js';
import { checkBackupsDirMode } from '../archive/backups-dir-mode.js';
import { fileSource } from '../reader/source.js';
import { listArchives } from './catalog.js';
import { setAsideFuture } from './suspect.js';
import { checkKeyPlacement } from '../crypto/key-placement.js';
import { ensurePrivateDir, fsyncDir } from '../fs/atomic.js';
import { cleanStaleTemps } from '../fs/temp-files.js';
import { writeArchive } from './folder-write.js';
import { statsOfListing } from './listing-stats.js';
import type { BackupStore, PreparedWrite, StoredBackup, WriteContext } from './types.js';

export interface FolderStoreOptions {
  /** The backups dir (backup.path), or the directory of an explicit --output file. */
  dir: string;
  stateDir: string;
  profile: string;
  /** --output FILE: the one name this store writes; never moved to another name. */
  file?: string | undefined;
  /** Dirs a backups dir may be inside a backed-up tree as (then the walk skips it): <stateDir>/backups, backup.path. */
  allowedInside?: string[];
  /** Create the dir (0700) when missing: true for backup.path, false for an --output dir that must exist. */
  createDir?: boolean;
}

/** An archive folder: one file per backup, published by hard link (never replacing one), deleted by retention. */
export function folderStore(options: FolderStoreOptions): BackupStore {
  const dir = path.resolve(options.dir);
  return {
    noun: 'archives',
    suspectAdvice: 'check the system clock (timedatectl status); an archive this machine did not make: move it out of the backups dir',
    location: dir,
    async list(list = {}) {
      const catalog = await listArchives({ dir, stateDir: options.stateDir, profile: options.profile, decrypt: list.decrypt });
      const { archives, suspect } = setAsideFuture(catalog.archives, list.now ?? new Date());
      return { location: catalog.dir, archives, ignored: catalog.ignored, suspect };
    },
    source: (backup) => fileSource(backup.archive),
    async prepareWrite(context) {
      const prepared = await prepareFolder(dir, options, context);
      return {
        ...prepared,
        databasesBeside: true,
        write: (content) => writeArchive({ dir, profile: options.profile, file: options.file }, content),
      };
    },
    async remove(backups: StoredBackup[]) {
      for (const backup of backups) {
        try {
          await fs.rm(backup.archive, { force: true });
        } catch (error) {
          throw new BackupError('failure', `cannot delete ${backup.archive}: ${describeFsError(error)}`, { cause: error });
        }
      }
      if (backups.length > 0) await fsyncDir(dir);
    },
    // An archive's bytes are all our verify reads: the folder has no check of its own to add.
    checkStored: async () => [],
    async stats() {
      return statsOfListing('folder', await this.list());
    },
    // The backups dir's own findings (writable, private, space) are doctor's general checks.
    diagnose: async () => [],
    async init() {
      throw new UsageError(
        `there is no repository to initialise: backups go to the archive folder ${dir}; set backup.repository, or pass --repository and --repository-password-file`,
      );
    },
    // Every archive in the folder is listed; there is nothing elsewhere to find.
    find: async () => undefined,
  };
}

async function prepareFolder(
  dir: string,
  options: FolderStoreOptions,
  context: WriteContext,
): Promise<Omit<PreparedWrite, 'write' | 'databasesBeside'>> {
  if (context.create && options.createDir !== false) {
    try {
      await ensurePrivateDir(dir);
    } catch (error) {
      throw new BackupError('failure', `cannot create backups dir ${dir}: ${describeFsError(error)}`, { cause: error });
    }
  }
  // Sources are walked at their real paths (a symlinked state dir is read where it leads): compare real paths too.
  const real = (p: string) => fs.realpath(p).catch(() => p);
  const realDir = await real(dir);
  const allowed = await Promise.all((options.allowedInside ?? []).map((p) => real(path.resolve(p))));
  // By identity too: a backups dir (and our staging dir in it) that resolves into a source tree is never archived.
  const excludeFromWalk: string[] = [dir];
  for (const root of context.sourceRoots) {
    if (!isInside(root, realDir)) continue;
    const okDir = allowed.find((a) => isInside(a, realDir));
    if (!okDir) {
      throw new UsageError(
        `output ${options.file ?? dir} is inside the backed-up tree ${root}; choose a folder outside it (or the backups dir)`,
      );
    }
    excludeFromWalk.push(okDir);
  }
  if (context.encrypted && options.file && !options.file.endsWith('.age')) {
    throw new UsageError(`output ${options.file}: an encrypted archive's name must end in .age`);
  }
  await checkBackupsDirMode({ dir, source: context.origin, warnLoose: options.createDir !== false }, context.warn);
  if (context.encrypt)
    checkKeyPlacement(
      context.encrypt.settings,
      { backupDir: dir, stateDir: context.stateDir, resolvePath: context.encrypt.resolvePath },
      context.warn,
    );
  if (context.create) await cleanStaleTemps(dir);
  return { scratchDir: dir, excludeFromWalk, name: options.file };
}
