import { HEADER_PATH, MANIFEST_PATH, type ArchiveHeader, type Manifest, type ManifestEntry } from '../archive/manifest.js';
import { describeStreamError } from '../reader/open-archive.js';
import { labelOf, toSource, type ArchiveInput } from '../reader/source.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { IntegrityError, throwIfAborted } from '../../errors.js';
import { componentOf, describeOrigin, displayPathOf } from '../restore/roots.js';
import type { ScannedEntry } from '../reader/scan-archive.js';
import { detectLayout, stagingRel, type ArchiveLayout } from '../reader/archive-layout.js';
import type { NativeManifest } from '../reader/check-native.js';
import { normalizeEntryName } from '../reader/entry-guard.js';
import type { IndexEntry, BackupIndex } from './index-types.js';

export interface ReadIndexOptions {
  decrypt?: DecryptionKey | undefined;
  signal?: AbortSignal | undefined;
  /** Ask the store what the backup takes (`info`); otherwise storedBytes is the file's size, or null. */
  storedSize?: boolean | undefined;
}

const DOC_LIMIT = 256 << 20;

async function readDocument(stream: AsyncIterable<unknown>, name: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > DOC_LIMIT) throw new IntegrityError(`${name}: larger than ${DOC_LIMIT} bytes where a JSON document was expected`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new IntegrityError(`${name}: not valid JSON`);
  }
}

function kindOf(type: string | null | undefined): IndexEntry['type'] | undefined {
  if (type === 'file' || type === 'contiguous-file') return 'file';
  if (type === 'directory' || type === 'symlink' || type === 'link') return type;
  return undefined;
}

interface RawEntry {
  name: string;
  type: IndexEntry['type'];
  size: number;
  mode: number;
  mtime: Date | undefined;
  target?: string;
}

/**
 * What a backup holds, read as a stream and never written anywhere: our header and manifest (paths, sizes, modes,
 * times, hashes, components), or, for OpenClaw-native and hand-made archives, the tar headers themselves. The file
 * bodies are skipped unread by the tar parser (they still pass through the decompressor and decryption).
 */
export async function readBackupIndex(input: ArchiveInput, options: ReadIndexOptions = {}): Promise<BackupIndex> {
  const label = labelOf(input);
  const opened = await toSource(input).openEntries({ decrypt: options.decrypt, signal: options.signal, documentsOnly: true });
  let layout: ArchiveLayout | undefined;
  let header: unknown;
  let manifest: unknown;
  const raw: RawEntry[] = [];
  try {
    for await (const entry of opened) {
      throwIfAborted(options.signal);
      const h = entry.header;
      const name = normalizeEntryName(h.name);
      const type = kindOf(h.type);
      if (name === undefined || !type) {
        entry.resume();
        continue;
      }
      layout ??= detectLayout(name);
      if (!layout) throw new IntegrityError(`${label}: not an OpenClaw backup (first entry ${name})`);
      const isDoc =
        type === 'file' &&
        (name === HEADER_PATH ||
          name === MANIFEST_PATH ||
          (layout.format === 'openclaw-native' && name === `${layout.prefix}/manifest.json`));
      if (isDoc) {
        const doc = await readDocument(entry, name);
        if (name === HEADER_PATH) header = doc;
        else manifest = doc;
        continue;
      }
      if (layout.format !== 'openclaw-backup')
        raw.push({
          name,
          type,
          size: type === 'file' ? (h.size ?? 0) : 0,
          mode: (h.mode ?? 0) & 0o7777,
          mtime: h.mtime,
          ...(type === 'symlink' ? { target: h.linkname ?? '' } : {}),
        });
      entry.resume();
    }
  } catch (error) {
    if (options.signal?.aborted || error instanceof IntegrityError) throw error;
    if ((error as NodeJS.ErrnoException).syscall) throw error;
    throw new IntegrityError(`${label}: ${describeStreamError(error)}`, { cause: error });
  } finally {
    await opened.close();
  }
  if (!layout) throw new IntegrityError(`${label}: archive holds no entries`);
  const base = {
    archive: label,
    format: layout.format,
    encrypted: opened.encrypted ?? false,
    compression: opened.compression,
    storedBytes: options.storedSize ? ((await opened.storedBytes()) ?? null) : (opened.size ?? null),
  };
  if (layout.format === 'openclaw-backup') return indexOurs(base, header, manifest, label);
  return indexForeign(base, layout, raw, manifest);
}

type IndexBase = Pick<BackupIndex, 'archive' | 'format' | 'encrypted' | 'compression' | 'storedBytes'>;

function indexOurs(base: IndexBase, header: unknown, manifest: unknown, label: string): BackupIndex {
  const m = manifest as Manifest | undefined;
  if (!m || !Array.isArray(m.entries) || !Array.isArray(m.roots))
    throw new IntegrityError(`${label}: manifest missing: the archive is truncated or incomplete`);
  const layout = detectLayout(HEADER_PATH) as ArchiveLayout;
  const origin = describeOrigin({ layout, header, manifest } as never, () => undefined);
  const entries = m.entries.map((e: ManifestEntry): IndexEntry => {
    const rel = stagingRel(layout, e.path) ?? e.path;
    const out: IndexEntry = {
      path: displayPathOf(origin.roots, rel),
      type: e.type,
      size: e.type === 'file' ? (e.sparse?.realSize ?? e.size) : 0,
      mode: e.mode,
      mtime: new Date(e.mtimeMs).toISOString(),
      component: e.component,
    };
    if (e.type === 'file') {
      out.sha256 = e.sha256;
      if (e.sqlite) out.database = true;
    }
    if (e.type === 'symlink') out.target = e.target;
    return out;
  });
  const h = (header ?? m) as ArchiveHeader;
  return {
    ...base,
    createdAt: h.createdAt ?? null,
    completedAt: m.completedAt ?? null,
    host: h.host?.hostname ?? null,
    profile: h.profile ?? null,
    stateDir: h.stateDir ?? null,
    openclawVersion: h.openclawVersion ?? null,
    components: h.components ?? null,
    entries,
    totals: m.totals,
    warnings: m.warnings ?? [],
  };
}

function indexForeign(base: IndexBase, layout: ArchiveLayout, raw: RawEntry[], manifest: unknown): BackupIndex {
  const origin = describeOrigin({ layout, header: undefined, manifest } as never, () => undefined);
  const native = layout.format === 'openclaw-native' ? (manifest as NativeManifest | undefined) : undefined;
  const totals = { files: 0, directories: 0, symlinks: 0, databases: 0, bytes: 0 };
  const entries: IndexEntry[] = [];
  for (const e of raw) {
    const rel = stagingRel(layout, e.name);
    if (rel === undefined) continue;
    const component = componentOf(origin.roots, { rel } as ScannedEntry) ?? null;
    entries.push({
      path: displayPathOf(origin.roots, rel),
      type: e.type,
      size: e.size,
      mode: e.mode,
      mtime: e.mtime ? e.mtime.toISOString() : null,
      component,
      ...(e.target !== undefined ? { target: e.target } : {}),
    });
    if (e.type === 'directory') totals.directories += 1;
    else if (e.type === 'symlink') totals.symlinks += 1;
    else {
      totals.files += 1;
      totals.bytes += e.size;
    }
  }
  return {
    ...base,
    createdAt: native?.createdAt ?? null,
    completedAt: null,
    host: null,
    profile: null,
    stateDir: native?.paths?.stateDir ?? origin.stateDir ?? null,
    openclawVersion: native?.runtimeVersion ?? null,
    components: null,
    entries,
    totals,
    warnings: [],
  };
}
