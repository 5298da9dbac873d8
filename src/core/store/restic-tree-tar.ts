import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import tar from 'tar-stream';
import { ARCHIVE_ROOT, MANIFEST_PATH } from '../archive/manifest.js';
import { PAX_SIDECAR } from './restic-mirror.js';

type EntryHeader = Parameters<ReturnType<typeof tar.pack>['entry']>[0];

/** Streams one entry's data into the pack, honouring its backpressure. */
async function copyEntry(entry: AsyncIterable<Buffer>, sink: NodeJS.WritableStream): Promise<void> {
  // A failed dump destroys the pack, and with it this entry: the error reaches the reader through the pack.
  sink.on('error', () => {});
  for await (const chunk of entry) if (!sink.write(chunk)) await once(sink, 'drain');
  const finished = once(sink, 'finish');
  sink.end();
  await finished;
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The sidecar's records, as strings only: whatever else it holds is dropped (the readers then judge the entries). */
function parseSidecar(data: Buffer): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
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

/**
 * Turns `restic dump`'s tar of a staging tree back into our archive layout: entries renamed from the tree's absolute
 * path to `openclaw-backup/…`, the header first (restic sorts it there) and the manifest last, so verify and
 * restore read it exactly as they read an archive file. Errors of the input end the output with the same error.
 */
export function reshapeTreeTar(raw: Readable, treePath: string): Readable {
  const prefix = `${treePath.replace(/^\/+/, '').replace(/\/[^/]+\/?$/, '')}/`;
  const extract = tar.extract();
  const pack = tar.pack();
  // A node stream for the readers (readHead peeks and unshifts), in front of tar-stream's own streams.
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  raw.on('error', (error) => extract.destroy(error));
  raw.pipe(extract as unknown as NodeJS.WritableStream);
  pack.on('error', (error: Error) => out.destroy(error));
  pack.pipe(out);
  out.on('close', () => {
    raw.destroy();
    extract.destroy();
    pack.destroy();
  });
  (async () => {
    let manifest: { header: EntryHeader; data: Buffer } | undefined;
    let paxRecords: Record<string, Record<string, string>> = {};
    for await (const entry of extract) {
      const name = entry.header.name.replace(/\/+$/, '');
      const rel = prefix !== '/' && name.startsWith(prefix) ? name.slice(prefix.length) : name;
      if (rel === ARCHIVE_ROOT || !rel.startsWith(`${ARCHIVE_ROOT}/`)) {
        entry.resume();
        continue;
      }
      const { mode, mtime, size, type, linkname, uid, gid } = entry.header;
      const header: EntryHeader = { name: rel, mode, mtime, size, type, linkname, uid, gid };
      if (rel === PAX_SIDECAR) {
        paxRecords = parseSidecar(await collect(entry as unknown as AsyncIterable<Buffer>));
        continue;
      }
      const pax = Object.hasOwn(paxRecords, rel) ? paxRecords[rel] : undefined;
      if (pax) header.pax = pax;
      if (rel === MANIFEST_PATH) {
        manifest = { header, data: await collect(entry as unknown as AsyncIterable<Buffer>) };
        continue;
      }
      if (type === 'file')
        await copyEntry(entry as unknown as AsyncIterable<Buffer>, pack.entry(header) as unknown as NodeJS.WritableStream);
      else {
        entry.resume();
        pack.entry({ ...header, size: 0 });
      }
    }
    if (manifest) pack.entry(manifest.header, manifest.data);
    pack.finalize();
  })().catch((error: unknown) => pack.destroy(error as Error));
  return out;
}
