import fs from 'node:fs/promises';
import path from 'node:path';
import { IntegrityError } from '../../errors.js';
import { hashEntry } from '../verify/hash-entry.js';
import { writeSparseFile } from './write-sparse.js';
import type { EntryHandler, ScannedEntry } from '../verify/scan-archive.js';

/**
 * Writes accepted entries below a fresh staging dir. The entry guard already refused unsafe names; this layer
 * checks the disk too (defence in depth): every parent is a real directory we created, files are opened
 * O_EXCL|O_NOFOLLOW, and no entry is ever written through a symlink.
 */
export class StagingWriter {
  private readonly dirs = new Set<string>(['']);
  private readonly dirModes: Array<{ abs: string; mode: number; mtime: Date | undefined }> = [];
  readonly written = new Set<string>();

  constructor(
    readonly root: string,
    private readonly include: (entry: ScannedEntry) => boolean,
  ) {}

  private async ensureDir(rel: string): Promise<void> {
    if (this.dirs.has(rel)) return;
    const parent = path.posix.dirname(rel);
    await this.ensureDir(parent === '.' ? '' : parent);
    const abs = path.join(this.root, rel);
    try {
      await fs.mkdir(abs, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stat = await fs.lstat(abs);
      if (!stat.isDirectory()) throw new IntegrityError(`${rel}: staging path exists and is not a directory`);
    }
    this.dirs.add(rel);
  }

  private parentOf(rel: string): string {
    const parent = path.posix.dirname(rel);
    return parent === '.' ? '' : parent;
  }

  readonly handle: EntryHandler = async (entry, stream) => {
    if (!this.include(entry)) return undefined;
    const abs = path.join(this.root, entry.rel);
    if (entry.kind === 'directory') {
      await this.ensureDir(entry.rel);
      this.dirModes.push({ abs, mode: entry.mode & 0o777, mtime: entry.mtime });
      this.written.add(entry.rel);
      return undefined;
    }
    await this.ensureDir(this.parentOf(entry.rel));
    if (entry.kind === 'file') {
      const hashed = entry.sparse ? await writeSparseFile(stream, abs, entry.size, entry.sparse.realSize) : await hashEntry(stream, { writeTo: abs, maxBytes: entry.size });
      await fs.chmod(abs, entry.mode & 0o777);
      if (entry.mtime) await fs.utimes(abs, entry.mtime, entry.mtime);
      this.written.add(entry.rel);
      return hashed;
    }
    if (entry.kind === 'symlink') await fs.symlink(entry.target ?? '', abs);
    else if (entry.linkRel && this.written.has(entry.linkRel)) await fs.link(path.join(this.root, entry.linkRel), abs);
    else return undefined;
    this.written.add(entry.rel);
    return undefined;
  };

  /** Applies directory modes last (deepest first), so a read-only directory did not block its own contents. */
  async finish(): Promise<void> {
    for (const dir of [...this.dirModes].reverse()) {
      await fs.chmod(dir.abs, dir.mode | 0o700);
      if (dir.mtime) await fs.utimes(dir.abs, dir.mtime, dir.mtime);
    }
  }
}
