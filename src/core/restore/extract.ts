import {
  chmodSync,
  closeSync,
  fchmodSync,
  futimesSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  rmSync,
  statfsSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import path from 'node:path';
import { BackupError, IntegrityError } from '../../errors.js';
import { hashEntry, integrityProblem, WRITE_FLAGS } from '../reader/hash-entry.js';
import { writeSparseFile } from './write-sparse.js';
import { databaseContentDigest } from '../archive/sqlite-digest.js';
import type { EntryHandler, VerifyProblem } from '../reader/scan-archive.js';
import type { ConfigCapture } from '../reader/capture-config.js';
import { readStagedText } from './staged-files.js';

/**
 * Writes accepted entries below a fresh staging dir, while the one pass over the archive hashes them. The entry
 * guard already refused unsafe names; this layer checks the disk too (defence in depth): every parent is a real
 * directory we created, files are opened O_EXCL|O_NOFOLLOW, and no entry is ever written through a symlink.
 * Everything is synchronous, as in create: the bytes are already in memory and a small file costs a few syscalls,
 * not a few thread-pool round trips; directory modes and database checks come in bulk at the end.
 */
export class StagingWriter {
  private readonly dirs = new Set<string>(['']);
  private readonly dirModes: Array<{ abs: string; mode: number; mtimeMs: number | undefined }> = [];
  private readonly databases: Array<{ rel: string; name: string }> = [];
  readonly written = new Set<string>();
  private readonly free: number | undefined;
  private planned = 0;

  constructor(
    readonly root: string,
    /** Keeps the config texts as they pass, as verify does (the roots are checked against them). */
    private readonly configs: ConfigCapture,
  ) {
    try {
      const stat = statfsSync(root);
      this.free = stat.bavail * stat.bsize;
    } catch {
      this.free = undefined;
    }
  }

  private ensureDir(rel: string): void {
    if (this.dirs.has(rel)) return;
    const parent = path.posix.dirname(rel);
    this.ensureDir(parent === '.' ? '' : parent);
    const abs = path.join(this.root, rel);
    try {
      mkdirSync(abs, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!lstatSync(abs).isDirectory()) throw new IntegrityError(`${rel}: staging path exists and is not a directory`);
    }
    this.dirs.add(rel);
  }

  private parentOf(rel: string): string {
    const parent = path.posix.dirname(rel);
    return parent === '.' ? '' : parent;
  }

  /** Refuses, before writing, an archive whose declared sizes outgrow the free space (a bomb fills no disk). */
  private reserve(size: number): void {
    this.planned += size;
    if (this.free !== undefined && this.planned > this.free) {
      throw new BackupError(
        'failure',
        `not enough space in ${path.dirname(this.root)}: the archive expands to more than ${this.planned} bytes, ${this.free} are free`,
      );
    }
  }

  readonly handle: EntryHandler = async (entry, stream) => {
    const config = this.configs.wants(entry);
    const abs = path.join(this.root, entry.rel);
    if (entry.kind === 'directory') {
      this.ensureDir(entry.rel);
      this.dirModes.push({ abs, mode: entry.mode & 0o777, mtimeMs: entry.mtimeMs });
      this.written.add(entry.rel);
      return undefined;
    }
    this.ensureDir(this.parentOf(entry.rel));
    if (entry.kind === 'file') {
      this.reserve(entry.size);
      if (entry.sparse) {
        // Holes are skipped, not written: the staged file takes on disk what the original took.
        const hashed = await writeSparseFile(stream, abs, entry.size, entry.sparse.realSize);
        chmodSync(abs, entry.mode & 0o777);
        if (entry.mtimeMs !== undefined) utimesSync(abs, entry.mtimeMs / 1000, entry.mtimeMs / 1000);
        this.written.add(entry.rel);
        // The stream held the sparse map too: the config's text is what was written.
        if (config) this.configs.keep(entry.name, Buffer.from(await readStagedText(this.root, entry.rel)));
        return hashed;
      }
      const fd = openSync(abs, WRITE_FLAGS, 0o600);
      let hashed;
      try {
        hashed = await hashEntry(config ? this.configs.tap(entry.name, stream) : stream, {
          writeFd: fd,
          maxBytes: entry.size,
          holes: entry.holes,
        });
        fchmodSync(fd, entry.mode & 0o777);
        if (entry.mtimeMs !== undefined) futimesSync(fd, entry.mtimeMs / 1000, entry.mtimeMs / 1000);
      } finally {
        closeSync(fd);
      }
      if (hashed.database) this.databases.push({ rel: entry.rel, name: entry.name });
      this.written.add(entry.rel);
      return hashed;
    }
    if (entry.kind === 'symlink') symlinkSync(entry.target ?? '', abs);
    else if (entry.linkRel && this.written.has(entry.linkRel)) linkSync(path.join(this.root, entry.linkRel), abs);
    else return undefined;
    this.written.add(entry.rel);
    return undefined;
  };

  /**
   * PRAGMA integrity_check on every staged database, in place: opened as immutable, so the check reads the database
   * file alone (as verify's scratch copy does) and creates or changes nothing beside it (a -wal or -shm the archive
   * holds stays byte for byte). With `digest`, a sound one's content digest too (what a preview compares).
   */
  async checkDatabases(options: { digest: boolean }): Promise<{ problems: VerifyProblem[]; digests: Map<string, string> }> {
    const problems: VerifyProblem[] = [];
    const digests = new Map<string, string>();
    for (const { rel, name } of this.databases) {
      const file = path.join(this.root, rel);
      const problem = await integrityProblem(file, true);
      if (problem) problems.push({ path: name, reason: problem });
      else if (options.digest) digests.set(name, databaseContentDigest(file, { immutable: true }));
    }
    return { problems, digests };
  }

  /** Removes staged entries that must not come back (runtime scratch of a hand-made archive). */
  drop(rel: string): void {
    rmSync(path.join(this.root, rel), { recursive: true, force: true });
    this.written.delete(rel);
  }

  /** Applies directory modes last (deepest first), so a read-only directory did not block its own contents. */
  finish(): void {
    for (let i = this.dirModes.length - 1; i >= 0; i -= 1) {
      const dir = this.dirModes[i] as { abs: string; mode: number; mtimeMs: number | undefined };
      chmodSync(dir.abs, dir.mode | 0o700);
      if (dir.mtimeMs !== undefined) utimesSync(dir.abs, dir.mtimeMs / 1000, dir.mtimeMs / 1000);
    }
  }
}
