import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import tar from 'tar-stream';
import { BackupError, IntegrityError } from '../../errors.js';
import { ARCHIVE_ROOT } from '../archive/manifest.js';
import { isInside } from '../../config/paths.js';

/** What the mirror held after the last backup: lets a file whose content did not change keep its inode. */
type MirrorIndex = Record<string, { size: number; sha256: string; ino: number; mtimeMs: number }>;

const INDEX = 'mirror-index.json';
/**
 * The PAX records a tree cannot hold (GNU.sparse.*: how a stored file restores), by entry name. Its name sorts
 * before every other name in the archive root, so `restic dump` hands it over before the entries it describes.
 */
export const PAX_SIDECAR = `${ARCHIVE_ROOT}/.pax-records.json`;
const SMALL = 8 * 1024 * 1024;

/**
 * The archive as a directory tree for `restic backup <dir>`: restic chunks each file on its own, so an edited note
 * costs that note, not the 1 MiB chunk of one big stream around it. The tree is kept between backups (0700, in the
 * backups dir, like archives) and a file whose content did not change is not rewritten: its inode, size and mtime
 * stay, so restic's parent-snapshot check skips it without reading it.
 */
export class MirrorWriter extends Writable {
  readonly done: Promise<{ bytes: number }>;
  private readonly extract = tar.extract();
  private bytes = 0;

  constructor(
    /** <backupsDir>/.openclaw-backup-mirror: holds openclaw-backup/… and the index. */
    readonly dir: string,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    this.done = this.unpack();
    this.done.catch((error: unknown) => this.destroy(error as Error));
  }

  /** The directory restic backs up. */
  get root(): string {
    return path.join(this.dir, ARCHIVE_ROOT);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytes += chunk.length;
    // A copy: the archive writer reuses its pooled buffers once this write is acknowledged.
    // tar-stream's streams (streamx) take no write callback: backpressure is the return value and 'drain'.
    if (this.extract.write(Buffer.from(chunk))) callback();
    else this.extract.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    (this.extract as unknown as { end(): void }).end();
    this.done.then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.extract.destroy();
    callback(error);
  }

  private async unpack(): Promise<{ bytes: number }> {
    // Attached before the first await: tar-stream's iterator does not see entries emitted before it exists.
    const entries = {
      [Symbol.asyncIterator]: (
        (iterator) => () =>
          iterator
      )(this.extract[Symbol.asyncIterator]()),
    };
    await fs.mkdir(this.root, { recursive: true, mode: 0o700 });
    const previous = await readIndex(this.dir);
    const next: MirrorIndex = {};
    const seen = new Set<string>();
    const dirTimes: [string, Date][] = [];
    const paxRecords: Record<string, Record<string, string>> = {};
    for await (const entry of entries) {
      const header = entry.header;
      const name = header.name.replace(/\/+$/, '');
      const target = path.join(this.dir, name);
      if (!isInside(this.root, target) || name.split('/').includes('..'))
        throw new IntegrityError(`archive entry ${name} is outside ${ARCHIVE_ROOT}/`);
      seen.add(name);
      const mode = (header.mode ?? 0o600) & 0o7777;
      const mtime = header.mtime ?? new Date();
      if (header.type === 'directory') {
        await fs.mkdir(target, { recursive: true, mode: 0o700 });
        await keepMetadata(target, mode | 0o700);
        dirTimes.push([target, mtime]);
        entry.resume();
        continue;
      }
      await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      if (header.type === 'symlink') {
        const old = await fs.readlink(target).catch(() => undefined);
        if (old !== header.linkname) {
          await fs.rm(target, { recursive: true, force: true });
          await fs.symlink(header.linkname ?? '', target);
        }
        entry.resume();
        continue;
      }
      if (header.type !== 'file') throw new IntegrityError(`archive entry ${name}: unexpected type ${header.type}`);
      if (name === PAX_SIDECAR) throw new IntegrityError(`archive entry ${name}: a name the repository's staging tree keeps for itself`);
      const sparse = Object.entries((header.pax ?? {}) as Record<string, string>).filter(([key]) => key.startsWith('GNU.sparse.'));
      if (sparse.length > 0) paxRecords[name] = Object.fromEntries(sparse);
      const placed = await placeFile(entry as unknown as AsyncIterable<Buffer>, target, header.size ?? 0, previous[name]);
      next[name] = { ...placed, mtimeMs: await keepMetadata(target, mode, mtime) };
    }
    await writeSidecar(path.join(this.dir, PAX_SIDECAR), paxRecords, seen);
    await removeUnseen(this.root, ARCHIVE_ROOT, seen);
    // Children first: setting a directory's time before writing into it would be undone.
    for (const [dir, time] of dirTimes.reverse()) await keepMetadata(dir, undefined, time);
    await fs.writeFile(path.join(this.dir, INDEX), JSON.stringify(next), { mode: 0o600 });
    return { bytes: this.bytes };
  }
}

/**
 * Sets mode and mtime only where they differ: chmod and utimes change the ctime, and restic re-reads a file whose
 * ctime changed. Returns the mtime the file has now.
 */
async function keepMetadata(target: string, mode: number | undefined, mtime?: Date): Promise<number> {
  const stat = await fs.lstat(target);
  if (mode !== undefined && (stat.mode & 0o7777) !== mode) await fs.chmod(target, mode);
  if (mtime && stat.mtimeMs !== mtime.getTime()) {
    await fs.utimes(target, mtime, mtime);
    return (await fs.lstat(target)).mtimeMs;
  }
  return stat.mtimeMs;
}

async function readIndex(dir: string): Promise<MirrorIndex> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, INDEX), 'utf8')) as MirrorIndex;
  } catch {
    return {};
  }
}

/** Writes one file unless the mirror already holds the same content (checked by hash, and by an untouched inode). */
async function placeFile(
  entry: AsyncIterable<Buffer>,
  target: string,
  size: number,
  known: MirrorIndex[string] | undefined,
): Promise<MirrorIndex[string]> {
  const hash = createHash('sha256');
  const current = await fs.stat(target).catch(() => undefined);
  const intact =
    known && current?.isFile() && current.ino === known.ino && current.size === known.size && current.mtimeMs === known.mtimeMs;
  if (size <= SMALL) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) {
      hash.update(chunk);
      chunks.push(chunk);
    }
    const sha256 = hash.digest('hex');
    if (intact && known.sha256 === sha256) return { ...known, sha256 };
    const temp = `${target}.mirror-partial`;
    await fs.writeFile(temp, Buffer.concat(chunks), { mode: 0o600 });
    await fs.rename(temp, target);
    return { size, sha256, ino: (await fs.stat(target)).ino, mtimeMs: 0 };
  }
  const temp = `${target}.mirror-partial`;
  const out = await fs.open(temp, 'w', 0o600);
  try {
    for await (const chunk of entry) {
      hash.update(chunk);
      await out.write(chunk);
    }
  } finally {
    await out.close();
  }
  const sha256 = hash.digest('hex');
  if (intact && known.sha256 === sha256) {
    await fs.rm(temp, { force: true });
    return { ...known, sha256 };
  }
  await fs.rename(temp, target);
  return { size, sha256, ino: (await fs.stat(target)).ino, mtimeMs: 0 };
}

/** Writes the PAX sidecar (only when some entry needs it, so a tree without sparse files is unchanged). */
async function writeSidecar(file: string, records: Record<string, Record<string, string>>, seen: Set<string>): Promise<void> {
  if (Object.keys(records).length === 0) return;
  const text = JSON.stringify(records);
  if ((await fs.readFile(file, 'utf8').catch(() => undefined)) !== text) {
    await fs.writeFile(`${file}.mirror-partial`, text, { mode: 0o600 });
    await fs.rename(`${file}.mirror-partial`, file);
  }
  seen.add(PAX_SIDECAR);
}

/** Deletes what the mirror still holds from an earlier backup but this archive does not. */
async function removeUnseen(dir: string, rel: string, seen: Set<string>): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const childRel = `${rel}/${name}`;
    const abs = path.join(dir, name);
    if (!seen.has(childRel)) {
      await fs.rm(abs, { recursive: true, force: true });
      continue;
    }
    const stat = await fs.lstat(abs);
    if (stat.isDirectory()) await removeUnseen(abs, childRel, seen);
  }
}

/** A mirror no backup is writing: a killed run's partial files are removed (the index still describes the rest). */
export async function cleanMirror(dir: string): Promise<void> {
  const root = path.join(dir, ARCHIVE_ROOT);
  for (const entry of await fs.readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (entry.name.endsWith('.mirror-partial')) await fs.rm(path.join(entry.parentPath, entry.name), { force: true });
  }
}

export const mirrorDirIn = (scratchDir: string): string => path.join(scratchDir, '.openclaw-backup-mirror');

export function mirrorFailure(error: unknown): BackupError {
  return error instanceof BackupError
    ? error
    : new BackupError('failure', `cannot write the repository's staging tree: ${(error as Error).message}`, { cause: error });
}
