import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import type { Compression } from '../../config/schema.js';
import { BackupError, describeFsError, UsageError } from '../../errors.js';
import { ensurePrivateDir } from '../fs/atomic.js';
import { archiveFileName } from './naming.js';
import type { BackupSource } from './sources.js';

export interface OutputTarget {
  dir: string;
  /** Final archive path, or undefined when a name is chosen at publish time (auto-named in a dir). */
  file: string | undefined;
  /** Directories inside a source tree that the walk must not enter (the backups dir). */
  excludeFromWalk: string[];
}

async function isDirectory(p: string): Promise<boolean> {
  return fs.stat(p).then((s) => s.isDirectory(), () => false);
}

/**
 * --output (an existing dir, or a new file in an existing dir) else backup.path (created 0700).
 * Refuses an output inside a source tree unless it is the backups dir, which the walk then excludes.
 */
export async function resolveOutput(options: {
  output: string | undefined;
  backupDir: string;
  stateDir: string;
  sources: BackupSource[];
  create: boolean;
}): Promise<OutputTarget> {
  let dir: string;
  let file: string | undefined;
  if (options.output) {
    const out = path.resolve(options.output);
    if (await isDirectory(out)) dir = out;
    else {
      const exists = await fs.lstat(out).then(() => true, () => false);
      if (exists) throw new UsageError(`output ${out} already exists; archives are never overwritten`);
      dir = path.dirname(out);
      file = out;
      if (!(await isDirectory(dir))) throw new UsageError(`output directory ${dir} does not exist`);
    }
  } else {
    dir = path.resolve(options.backupDir);
    if (options.create) {
      try {
        await ensurePrivateDir(dir);
      } catch (error) {
        throw new BackupError('failure', `cannot create backups dir ${dir}: ${describeFsError(error)}`, { cause: error });
      }
    }
  }

  // Sources are walked at their real paths (a symlinked state dir is read where it leads): compare real paths too.
  const real = (p: string) => fs.realpath(p).catch(() => p);
  const realDir = await real(dir);
  const allowed = [await real(path.join(options.stateDir, 'backups')), await real(path.resolve(options.backupDir))];
  const excludeFromWalk: string[] = [];
  for (const source of options.sources) {
    if (!isInside(source.root.path, realDir)) continue;
    const okDir = allowed.find((a) => isInside(a, realDir));
    if (!okDir) {
      throw new UsageError(`output ${file ?? dir} is inside the backed-up tree ${source.root.path}; choose a folder outside it (or the backups dir)`);
    }
    excludeFromWalk.push(okDir);
  }
  return { dir, file, excludeFromWalk };
}

/** First free auto name in `dir` for this second. */
export async function freeArchivePath(dir: string, profile: string, createdAt: Date, compression: Compression, suffix = ''): Promise<string> {
  for (let n = 0; n < 1000; n += 1) {
    const candidate = path.join(dir, archiveFileName(profile, createdAt, compression, n, suffix));
    const exists = await fs.lstat(candidate).then(() => true, () => false);
    if (!exists) return candidate;
  }
  throw new BackupError('failure', `no free archive name in ${dir}`);
}
