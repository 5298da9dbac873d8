import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { isSelected, type Component, type Selection } from '../components.js';
import { throwIfAborted } from '../../errors.js';
import type { ArchiveWriter } from './archive-writer.js';
import { takeSnapshot, type DatabaseSnapshot } from './db-snapshots.js';
import type { ManifestEntry } from './manifest.js';
import type { ManifestWriter } from './manifest-writer.js';
import { ReadScratch, readStableFile } from './read-stable.js';
import { checkIntegrity, isSqliteHeader } from './sqlite-snapshot.js';
import { entryName, type BackupSource } from './sources.js';
import { walkTree, type WalkEntry } from './walk.js';

export interface ArchiveProgress {
  files: number;
  bytes: number;
  current: string;
}

export interface ArchiveEntriesOptions {
  sources: BackupSource[];
  selection: Selection;
  /** Absent in a dry run: entries are counted, nothing is read or written. */
  writer: ArchiveWriter | undefined;
  manifest: ManifestWriter | undefined;
  snapshots: Map<string, DatabaseSnapshot>;
  stagingDir: string;
  excludeAbs: string[];
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: ArchiveProgress) => void) | undefined;
  onWarning?: ((message: string) => void) | undefined;
}

export interface ArchiveEntriesResult {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
  components: Set<Component>;
  /** Dry run only: what each component would contribute. */
  byComponent: Partial<Record<Component, { files: number; bytes: number }>>;
}

function ancestors(rel: string): string[] {
  if (rel === '') return [];
  const out = [''];
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i += 1) out.push(parts.slice(0, i).join('/'));
  return out;
}

/** Walks every source and archives the selected entries, parents before children, databases as snapshots. */
export async function archiveEntries(options: ArchiveEntriesOptions): Promise<ArchiveEntriesResult> {
  const result: ArchiveEntriesResult = { files: 0, directories: 0, symlinks: 0, bytes: 0, components: new Set(), byComponent: {} };
  const { writer, manifest } = options;
  const warn = (message: string) => {
    manifest?.warnings.push(message);
    options.onWarning?.(message);
  };
  const rootPaths = options.sources.map((s) => s.root.path);
  const scratch = new ReadScratch();

  for (const source of options.sources) {
    const pending = new Map<string, WalkEntry>();
    const emitted = new Set<string>();

    const emitDirectory = async (entry: WalkEntry) => {
      const name = entryName(source.root, entry.rel);
      const component = source.classify(entry.rel);
      const meta = { mode: entry.stat.mode, mtime: entry.stat.mtime, uid: entry.stat.uid, gid: entry.stat.gid };
      await writer?.addDirectory(name, meta);
      await manifest?.add({ path: name, type: 'directory', component, mode: entry.stat.mode & 0o7777, mtimeMs: Math.trunc(entry.stat.mtimeMs) });
      emitted.add(entry.rel);
      pending.delete(entry.rel);
      result.directories += 1;
    };
    const emitAncestors = async (rel: string) => {
      for (const dir of ancestors(rel)) {
        const entry = pending.get(dir);
        if (entry && !emitted.has(dir)) await emitDirectory(entry);
      }
    };

    const walk = walkTree(source.root.path, {
      skip: (rel) => source.neverArchived(rel),
      excludeAbs: options.excludeAbs,
      signal: options.signal,
    });
    for await (const entry of walk) {
      throwIfAborted(options.signal);
      const component = source.classify(entry.rel);
      const selected = source.globPaths(entry.rel).some((p) => isSelected(options.selection, component, p));
      if (entry.kind === 'other') {
        if (selected) warn(`skipped ${entry.abs}: not a regular file, directory or symlink`);
        continue;
      }
      if (entry.kind === 'directory') {
        pending.set(entry.rel, entry);
        if (selected) {
          await emitAncestors(entry.rel);
          await emitDirectory(entry);
        }
        continue;
      }
      if (!selected) continue;
      await emitAncestors(entry.rel);
      result.components.add(component);
      const name = entryName(source.root, entry.rel);
      const base = { path: name, component, mode: entry.stat.mode & 0o7777, mtimeMs: Math.trunc(entry.stat.mtimeMs) };
      const meta = { mode: entry.stat.mode, mtime: entry.stat.mtime, uid: entry.stat.uid, gid: entry.stat.gid };

      if (entry.kind === 'symlink') {
        const target = await fs.readlink(entry.abs);
        const resolved = path.resolve(path.dirname(entry.abs), target);
        const external = !rootPaths.some((root) => isInside(root, resolved));
        await writer?.addSymlink(name, target, meta);
        await manifest?.add({ ...base, type: 'symlink', target, external });
        result.symlinks += 1;
        continue;
      }

      result.files += 1;
      if (!writer) {
        result.bytes += entry.stat.size;
        const tally = (result.byComponent[component] ??= { files: 0, bytes: 0 });
        tally.files += 1;
        tally.bytes += entry.stat.size;
        options.onProgress?.({ files: result.files, bytes: result.bytes, current: name });
        continue;
      }
      let fileEntry: ManifestEntry;
      let snapshot = options.snapshots.get(entry.abs);
      if (!snapshot) {
        const read = await readStableFile(entry.abs, path.join(options.stagingDir, 'current-file'), scratch);
        const head = read.kind === 'buffer' ? read.data.subarray(0, 16) : await readHead(read.file);
        if (isSqliteHeader(head)) {
          snapshot = await takeSnapshot(entry.abs, options.stagingDir);
        } else {
          if (!read.stable) warn(`${entry.abs} kept changing while it was read; archived the last complete read`);
          const fileMeta = { ...meta, mode: read.stat.mode, mtime: read.stat.mtime };
          if (read.kind === 'buffer') await writer.addBuffer(name, read.data, fileMeta);
          else {
            await writer.addFile(name, read.file, read.size, fileMeta);
            await fs.rm(read.file, { force: true });
          }
          const size = read.kind === 'buffer' ? read.data.length : read.size;
          fileEntry = { ...base, type: 'file', mode: read.stat.mode & 0o7777, mtimeMs: Math.trunc(read.stat.mtimeMs), size, sha256: read.sha256 };
          await manifest?.add(fileEntry);
          result.bytes += size;
          options.onProgress?.({ files: result.files, bytes: result.bytes, current: name });
          continue;
        }
      }
      await checkIntegrity(snapshot.file, entry.abs);
      const sha256 = await writer.addFile(name, snapshot.file, snapshot.size, meta);
      await fs.rm(snapshot.file, { force: true });
      fileEntry = { ...base, type: 'file', size: snapshot.size, sha256, sqlite: { snapshot: true, integrity: 'ok', pages: snapshot.pages } };
      await manifest?.add(fileEntry);
      result.bytes += snapshot.size;
      options.onProgress?.({ files: result.files, bytes: result.bytes, current: name });
    }
  }
  return result;
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await handle.read(buf, 0, 16, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
