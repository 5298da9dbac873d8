import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { BackupError, describeFsError, UsageError } from '../../errors.js';
import { archiveFileName } from '../archive/naming.js';
import type { Compression } from '../../config/schema.js';
import { fileSource } from '../archive/source.js';
import { listArchives } from '../catalog.js';
import { setAsideFuture } from './suspect.js';
import { ensurePrivateDir, fsyncDir, publishNoOverwrite } from '../fs/atomic.js';
import { cleanStaleTemps, partialPathFor } from '../fs/temp-files.js';
import type { BackupDraft, BackupStore, NewBackup, PreparedWrite, StoredBackup, WriteContext } from './types.js';

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
    kind: 'folder',
    location: dir,
    async list(list = {}) {
      const catalog = await listArchives({ dir, stateDir: options.stateDir, profile: options.profile, decrypt: list.decrypt });
      const { archives, suspect } = setAsideFuture(catalog.archives, list.now ?? new Date());
      return { location: catalog.dir, archives, ignored: catalog.ignored, suspect };
    },
    source: (backup) => fileSource(backup.archive),
    prepareWrite: (context) => prepareFolder(dir, options, context),
    begin: (meta) => beginArchive(dir, options, meta),
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
  };
}

async function prepareFolder(dir: string, options: FolderStoreOptions, context: WriteContext): Promise<PreparedWrite> {
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
  const excludeFromWalk: string[] = [];
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
  if (context.create) await cleanStaleTemps(dir);
  return { scratchDir: dir, excludeFromWalk, name: options.file };
}

async function beginArchive(dir: string, options: FolderStoreOptions, meta: NewBackup): Promise<BackupDraft> {
  const suffix = meta.encrypted ? '.age' : '';
  const finalGuess = options.file ?? path.join(dir, `openclaw-backup-${meta.profile}`);
  const partial = partialPathFor(finalGuess, `${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await fs.open(partial, 'wx', 0o600);
  return {
    target: handle,
    async commit() {
      await handle.close().catch(() => {});
      return {
        archive: await publish(partial, options.file, () => freeArchivePath(dir, meta.profile, meta.createdAt, meta.compression, suffix)),
      };
    },
    async abort() {
      await handle.close().catch(() => {});
      await fs.rm(partial, { force: true });
    },
  };
}

/**
 * Publishes the partial under its final name. An auto-chosen name can be taken between choosing and publishing by
 * a concurrent backup of the same second; then the next free name is chosen. An explicit --output never moves.
 */
async function publish(partial: string, explicit: string | undefined, chooseName: () => Promise<string>): Promise<string> {
  for (let attempt = 0; ; attempt += 1) {
    const finalPath = explicit ?? (await chooseName());
    try {
      await publishNoOverwrite(partial, finalPath);
      return finalPath;
    } catch (error) {
      if (explicit || (error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 20) throw error;
    }
  }
}

/** First free auto name in `dir` for this second. */
async function freeArchivePath(dir: string, profile: string, createdAt: Date, compression: Compression, suffix = ''): Promise<string> {
  for (let n = 0; n < 1000; n += 1) {
    const candidate = path.join(dir, archiveFileName(profile, createdAt, compression, n, suffix));
    const exists = await fs.lstat(candidate).then(
      () => true,
      () => false,
    );
    if (!exists) return candidate;
  }
  throw new BackupError('failure', `no free archive name in ${dir}`);
}
