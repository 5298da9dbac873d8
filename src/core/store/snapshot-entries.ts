import fsSync, { type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { IntegrityError } from '../../errors.js';
import type { EntryHeader, EntryNote, EntrySelect, SourceEntry } from '../reader/entry-stream.js';
import { ARCHIVE_ROOT, HEADER_PATH, MANIFEST_PATH, type SourceRoot } from '../archive/manifest.js';
import { unsafeNameReason } from '../reader/entry-guard.js';
import { EntryListReader } from './entry-lists.js';
import { isObject } from '../is-object.js';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fsSync.constants;
const DOC_LIMIT = 64 * 1024 * 1024;

/** One entry whose data is a file of the restored tree, opened (never through a link) only when read. */
class FileEntry implements SourceEntry {
  private fd: number | undefined;

  constructor(
    readonly header: EntryHeader,
    fd: number | undefined,
  ) {
    this.fd = fd;
  }

  resume(): void {
    if (this.fd !== undefined) fsSync.closeSync(this.fd);
    this.fd = undefined;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    yield* fsSync.createReadStream('', { fd, highWaterMark: 1024 * 1024, autoClose: true }) as AsyncIterable<Buffer>;
  }
}

/** An entry whose data is in memory or produced on the fly (our documents). */
class StreamEntry implements SourceEntry {
  constructor(
    readonly header: EntryHeader,
    private readonly data: () => AsyncIterable<Buffer>,
  ) {}

  resume(): void {}

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this.data()[Symbol.asyncIterator]();
  }
}

/** A root path from a header is used to find files on disk only when it is plainly absolute and normal. */
function usableRoot(root: unknown): root is SourceRoot {
  if (!isObject(root) || typeof root.path !== 'string' || typeof root.archivePath !== 'string') return false;
  const p = root.path;
  return path.isAbsolute(p) && path.normalize(p) === p && !p.split('/').includes('..') && !p.includes('\0');
}

export interface RestoredSnapshot {
  /** Where restic restored the snapshot (its absolute paths recreated below). */
  tree: string;
  /** The meta dir's absolute path in the snapshot. */
  meta: string;
}

/**
 * Reads documents from the restored meta dir: the header as stored, and the manifest without its entries (they are
 * in the lists). Both are regular files in real directories, or the snapshot is not one of ours.
 */
export class RestoredTree {
  private readonly checked = new Set<string>();

  constructor(readonly restored: RestoredSnapshot) {}

  /** The absolute path of `abs` (a path in the snapshot) inside the restored tree. */
  local(abs: string): string {
    return path.join(this.restored.tree, abs);
  }

  /** Every directory from the tree's root down to `abs`'s parent is a real directory; false when one is missing. */
  async parentsAreDirs(abs: string): Promise<boolean> {
    const parent = path.dirname(abs);
    if (parent === abs || parent === '/') return true;
    if (this.checked.has(parent)) return true;
    if (!(await this.parentsAreDirs(parent))) return false;
    const stat = await fs.lstat(this.local(parent)).catch(() => undefined);
    if (!stat) return false;
    if (!stat.isDirectory())
      throw new IntegrityError(
        `the snapshot holds ${parent} as a ${stat.isSymbolicLink() ? 'symlink' : 'non-directory'} where a directory belongs`,
      );
    this.checked.add(parent);
    return true;
  }

  async readDocument(name: string): Promise<Buffer> {
    const abs = path.join(this.restored.meta, name);
    if (!(await this.parentsAreDirs(abs))) throw new IntegrityError(`the snapshot holds no ${name}: not a backup of ours`);
    const stat = await fs.lstat(this.local(abs)).catch(() => undefined);
    if (!stat) throw new IntegrityError(`the snapshot holds no ${name}: not a backup of ours`);
    if (!stat.isFile() || stat.size > DOC_LIMIT) throw new IntegrityError(`the snapshot's ${name} is not a document of ours`);
    return fs.readFile(this.local(abs));
  }
}

export interface SnapshotEntriesOptions {
  select?: EntrySelect | undefined;
  /** Only the documents (the lists are read for the manifest, no content). */
  documentsOnly?: boolean | undefined;
  notes: Map<string, EntryNote>;
  signal?: AbortSignal | undefined;
}

/**
 * A restored snapshot as entries in archive order: the header, then each manifest entry from the restored trees
 * (or from the meta dir's files for what the manifest says is staged there), then the manifest with its entries
 * put back from the lists. A file whose size or time differs from what was hashed is noted as changed between our
 * read and restic's; one that is gone, as vanished. Nothing is read through a link, and no path leaves the tree.
 */
export async function* snapshotEntries(tree: RestoredTree, options: SnapshotEntriesOptions): AsyncGenerator<SourceEntry> {
  const headerBytes = await tree.readDocument('header.json');
  const manifestBytes = await tree.readDocument('manifest.json');
  yield new StreamEntry({ name: HEADER_PATH, type: 'file', size: headerBytes.length, mode: 0o600 }, () => Readable.from([headerBytes]));
  let manifest: Record<string, unknown>;
  let header: Record<string, unknown>;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Record<string, unknown>;
    header = JSON.parse(headerBytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new IntegrityError("the snapshot's header or manifest is not valid JSON");
  }
  if (!isObject(manifest) || !isObject(header)) throw new IntegrityError("the snapshot's header or manifest is not a JSON object");
  const roots = (Array.isArray(header.roots) ? header.roots : []).filter(usableRoot);
  const lists = new EntryListReader(tree.local(path.join(tree.restored.meta, 'entries')));
  if (!options.documentsOnly) {
    for await (const record of lists.entries()) {
      if (options.signal?.aborted) return;
      const entry = await contentEntry(tree, record, roots, options);
      if (entry) yield entry;
    }
  }
  const { entryLists: _lists, ...rest } = manifest;
  yield new StreamEntry({ name: MANIFEST_PATH, type: 'file', size: 0, mode: 0o600 }, () => manifestText(rest, lists));
}

/** The manifest document as an archive holds it: its fields, then every entry from the lists, streamed. */
async function* manifestText(fields: Record<string, unknown>, lists: EntryListReader): AsyncGenerator<Buffer> {
  const head = JSON.stringify(fields);
  yield Buffer.from(`${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"entries":[`);
  let first = true;
  for await (const record of lists.entries()) {
    yield Buffer.from(`${first ? '' : ',\n'}${JSON.stringify(record)}`);
    first = false;
  }
  yield Buffer.from(']}');
}

function rootOf(roots: SourceRoot[], name: string): { root: SourceRoot; rel: string } | undefined {
  let best: { root: SourceRoot; rel: string } | undefined;
  for (const root of roots) {
    if (name === root.archivePath) return { root, rel: '' };
    if (name.startsWith(`${root.archivePath}/`) && (!best || root.archivePath.length > best.root.archivePath.length))
      best = { root, rel: name.slice(root.archivePath.length + 1) };
  }
  return best;
}

function headerOf(name: string, stat: Stats): EntryHeader {
  return { name, type: 'file', size: stat.size, mode: stat.mode & 0o7777, mtime: stat.mtime, uid: stat.uid, gid: stat.gid };
}

async function contentEntry(
  tree: RestoredTree,
  record: Record<string, unknown>,
  roots: SourceRoot[],
  options: SnapshotEntriesOptions,
): Promise<SourceEntry | undefined> {
  const name = record.path as string;
  const type = record.type;
  if (options.select && type !== 'directory' && !options.select(name)) return undefined;
  // An unsafe name is handed on unread: the entry guard refuses it with its reason.
  if (unsafeNameReason(name) || !name.startsWith(`${ARCHIVE_ROOT}/`)) return new FileEntry({ name, type: 'file', size: 0 }, undefined);
  const staged = record.staged === true || (isObject(record.sqlite) && record.sqlite.snapshot === true);
  let abs: string;
  if (staged) abs = path.join(tree.restored.meta, 'files', name);
  else {
    const found = rootOf(roots, name);
    if (!found) return new FileEntry({ name, type: 'file', size: 0 }, undefined);
    abs = found.rel ? path.join(found.root.path, found.rel) : found.root.path;
  }
  const local = tree.local(abs);
  const stat = (await tree.parentsAreDirs(abs)) ? await fs.lstat(local).catch(() => undefined) : undefined;
  if (!stat) {
    if (type === 'directory' && options.select) return undefined;
    options.notes.set(name, { kind: 'vanished', reason: `${abs} was gone before restic read it; the snapshot does not hold it` });
    return undefined;
  }
  if (stat.isDirectory())
    return new FileEntry({ name, type: 'directory', mode: stat.mode & 0o7777, mtime: stat.mtime, uid: stat.uid, gid: stat.gid }, undefined);
  if (stat.isSymbolicLink()) {
    const linkname = await fs.readlink(local);
    return new FileEntry(
      { name, type: 'symlink', mode: stat.mode & 0o7777, mtime: stat.mtime, linkname, uid: stat.uid, gid: stat.gid },
      undefined,
    );
  }
  if (!stat.isFile()) return new FileEntry({ name, type: 'fifo', size: 0 }, undefined);
  if (type === 'file' && !staged && (stat.size !== record.size || Math.trunc(stat.mtimeMs) !== record.mtimeMs)) {
    options.notes.set(name, {
      kind: 'changed',
      reason: `${abs} changed between our read and restic's (restic holds the later version, of ${stat.size} bytes)`,
    });
  }
  const fd = fsSync.openSync(local, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  const opened = fsSync.fstatSync(fd);
  if (opened.ino !== stat.ino || !opened.isFile()) {
    fsSync.closeSync(fd);
    throw new IntegrityError(`${abs} changed while it was read from the restored snapshot`);
  }
  return new FileEntry({ ...headerOf(name, opened), ...(record.holes === true ? { holes: true } : {}) }, fd);
}
