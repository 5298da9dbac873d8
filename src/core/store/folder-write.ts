import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Compression } from '../../config/schema.js';
import { BackupError } from '../../errors.js';
import { archiveEntries } from '../archive/archive-entries.js';
import { ArchiveWriter } from '../archive/archive-writer.js';
import type { EntrySink } from '../archive/entry-sink.js';
import { HEADER_PATH, MANIFEST_PATH } from '../archive/manifest.js';
import { ManifestWriter } from '../archive/manifest-writer.js';
import { archiveFileName, parseArchiveFileName } from '../archive/naming.js';
import { ReadScratch } from '../archive/read-stable.js';
import { storeFile, type FlaggedFile, type StoreContext } from '../archive/store-file.js';
import { publishNoOverwrite } from '../fs/atomic.js';
import { partialPathFor } from '../fs/temp-files.js';
import type { BackupContent, WrittenBackup } from './types.js';
import { pathExists } from '../fs/exists.js';

export interface ArchiveTarget {
  /** The backups dir (or --output's dir). */
  dir: string;
  profile: string;
  /** --output FILE: the one name to publish under. */
  file?: string | undefined;
}

/** The walk's files go into the tar stream as they are read (databases as their snapshots). */
function tarSink(ctx: StoreContext): EntrySink {
  return {
    addDirectory: (name, meta) => ctx.writer.addDirectory(name, meta),
    addSymlink: (name, target, meta) => ctx.writer.addSymlink(name, target, meta),
    storeFile: (file) => storeFile(ctx, file),
    // Each file's metadata comes from the fstat of its read (store-file.ts), so the walk lists files without lstat.
    statsOwnFiles: true,
    skip: () => {},
    flagged: ctx.flagged,
  };
}

/**
 * Writes one archive: header first, the trees as the walk reads them, the manifest last, into a partial file that
 * is published under its final name (never replacing one) only when complete.
 */
export async function writeArchive(target: ArchiveTarget, content: BackupContent): Promise<WrittenBackup> {
  const { header } = content;
  const createdAt = new Date(header.createdAt);
  const compression = header.compression;
  const encrypted = content.encrypt !== undefined;
  const finalGuess = target.file ?? path.join(target.dir, `openclaw-backup-${target.profile}`);
  const partial = partialPathFor(finalGuess, `${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await fs.open(partial, 'wx', 0o600);
  let writer: ArchiveWriter | undefined;
  let manifest: ManifestWriter | undefined;
  try {
    writer = await ArchiveWriter.open(handle, compression, content.signal, content.encrypt);
    await writer.addBuffer(HEADER_PATH, Buffer.from(`${JSON.stringify(header, null, 2)}\n`), { mode: 0o600, mtime: createdAt });
    manifest = await ManifestWriter.open(path.join(content.stagingDir, 'manifest.json'), header);
    const warn = (message: string) => {
      manifest?.warnings.push(message);
      content.onWarning(message);
    };
    const flagged: FlaggedFile[] = [];
    const ctx: StoreContext = {
      writer,
      manifest,
      snapshots: content.snapshots,
      stagingDir: content.stagingDir,
      scratch: new ReadScratch(),
      warn,
      flagged,
      sparseFiles: content.sparseFiles,
      // Progress within a large file: what the walk finished, plus the current file's bytes read so far.
      onFileBytes: content.progress && ((bytes) => content.progress?.update({ items: done.items, bytes: done.bytes + bytes })),
    };
    let done = { items: 0, bytes: 0 };
    content.progress?.start('backup', content.totals);
    const counted = await archiveEntries({
      sources: content.sources,
      selection: content.selection,
      sink: tarSink(ctx),
      manifest,
      excludeAbs: content.excludeAbs,
      signal: content.signal,
      onWarning: content.onWarning,
      followKey: content.followKey,
      onProgress:
        content.progress &&
        ((p) => {
          done = { items: p.files, bytes: p.bytes };
          content.progress?.update(done);
        }),
    }).finally(() => content.progress?.finish());
    content.assertNotEmpty(counted);
    const manifestSize = await manifest.finish(content.now());
    await writer.addFile(MANIFEST_PATH, manifest.file, manifestSize, { mode: 0o600, mtime: content.now() });
    const written = await writer.finish();
    writer = undefined;
    await handle.close().catch(() => {});
    const archive = await publish(partial, target.file, () =>
      freeArchivePath(target.dir, target.profile, createdAt, compression, encrypted ? '.age' : ''),
    );
    return {
      stored: {
        archive,
        createdAt: header.createdAt,
        bytes: written.bytes,
        components: content.components,
        encrypted,
        profile: target.profile,
        recognisedBy: 'header',
      },
      bytes: written.bytes,
      sha256: written.sha256,
      counted,
      totals: manifest.totals,
      fresh: undefined,
    };
  } catch (error) {
    await writer?.abort();
    await manifest?.discard();
    await handle.close().catch(() => {});
    await fs.rm(partial, { force: true });
    throw error;
  }
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

/**
 * First free auto name in `dir` for this second. A name is taken when any archive of the same second and number
 * exists, whatever its compression or encryption: the number then orders backups of one second, because an
 * encrypted archive's time is known only to the second (from its name) while a plain one's header has milliseconds.
 */
async function freeArchivePath(dir: string, profile: string, createdAt: Date, compression: Compression, suffix = ''): Promise<string> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const stamp = parseArchiveFileName(archiveFileName(profile, createdAt, compression))?.stamp;
  const taken = new Set(
    names
      .map((name) => parseArchiveFileName(name))
      .filter((parsed) => parsed?.profile === profile && parsed.stamp === stamp)
      .map((parsed) => parsed?.collision),
  );
  for (let n = 0; n < 1000; n += 1) {
    if (taken.has(n)) continue;
    const candidate = path.join(dir, archiveFileName(profile, createdAt, compression, n, suffix));
    const exists = await pathExists(candidate);
    if (!exists) return candidate;
  }
  throw new BackupError('failure', `no free archive name in ${dir}`);
}
