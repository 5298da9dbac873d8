import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { EntryHeader, SourceEntry } from '../reader/entry-stream.js';
import { ARCHIVE_ROOT, HEADER_PATH, MANIFEST_PATH } from '../archive/manifest.js';
import { walkTree } from '../archive/walk.js';
import type { RestoredTree } from './snapshot-entries.js';

/** The PAX records (GNU.sparse.*) the old staging tree kept beside the files, which restic cannot hold. */
const PAX_SIDECAR = '.pax-records.json';
const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fsSync.constants;

function sidecarRecords(text: string | undefined): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '{}');
  } catch {
    return out;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return out;
  for (const [name, records] of Object.entries(parsed as Record<string, unknown>)) {
    if (!records || typeof records !== 'object' || Array.isArray(records)) continue;
    const strings = Object.entries(records as Record<string, unknown>).filter(
      (pair): pair is [string, string] => pair[0].startsWith('GNU.sparse.') && typeof pair[1] === 'string',
    );
    if (strings.length > 0) out[name] = Object.fromEntries(strings);
  }
  return out;
}

function entryOf(header: EntryHeader, data?: () => AsyncIterable<Buffer>, fd?: number): SourceEntry {
  let open = fd;
  return {
    header,
    resume() {
      if (open !== undefined) fsSync.closeSync(open);
      open = undefined;
    },
    async *[Symbol.asyncIterator]() {
      if (data) yield* data();
      if (open === undefined) return;
      const handle = open;
      open = undefined;
      yield* fsSync.createReadStream('', { fd: handle, highWaterMark: 1024 * 1024, autoClose: true }) as AsyncIterable<Buffer>;
    },
  };
}

/**
 * A snapshot made before repository backups read the source trees themselves: one tree in our archive layout
 * (`openclaw-backup/header.json`, `state/…`, `external/…`, `manifest.json`), read as the archive it was made from.
 */
export async function* legacyEntries(
  tree: RestoredTree,
  options: { documentsOnly?: boolean | undefined; signal?: AbortSignal | undefined },
): AsyncGenerator<SourceEntry> {
  const header = await tree.readDocument('header.json');
  yield entryOf({ name: HEADER_PATH, type: 'file', size: header.length, mode: 0o600 }, () => Readable.from([header]));
  if (!options.documentsOnly) {
    const pax = sidecarRecords(
      await tree.readDocument(PAX_SIDECAR).then(
        (b) => b.toString('utf8'),
        () => undefined,
      ),
    );
    const root = tree.local(tree.restored.meta);
    for await (const entry of walkTree(root, { signal: options.signal })) {
      if (entry.rel === '' || ['header.json', 'manifest.json', PAX_SIDECAR].includes(entry.rel)) continue;
      const name = `${ARCHIVE_ROOT}/${entry.rel}`;
      const base = { name, mode: entry.stat.mode & 0o7777, mtime: entry.stat.mtime, uid: entry.stat.uid, gid: entry.stat.gid };
      if (entry.kind === 'directory') yield entryOf({ ...base, type: 'directory' });
      else if (entry.kind === 'symlink') yield entryOf({ ...base, type: 'symlink', linkname: await fs.readlink(entry.abs) });
      else if (entry.kind === 'file') {
        const fd = fsSync.openSync(entry.abs, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
        const records = Object.hasOwn(pax, name) ? pax[name] : undefined;
        yield entryOf({ ...base, type: 'file', size: fsSync.fstatSync(fd).size, ...(records ? { pax: records } : {}) }, undefined, fd);
      } else yield entryOf({ ...base, type: 'fifo', size: 0 });
    }
  }
  const manifest = await tree.readDocument('manifest.json');
  yield entryOf({ name: MANIFEST_PATH, type: 'file', size: manifest.length, mode: 0o600 }, () => Readable.from([manifest]));
}
