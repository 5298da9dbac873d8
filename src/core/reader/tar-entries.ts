import tar from 'tar-stream';
import type { EntryNote, EntryStream, OpenEntriesOptions, SourceEntry } from './entry-stream.js';
import { openArchive } from './open-archive.js';
import type { ByteSource } from './byte-source.js';
import { watchTarEnd } from '../archive/tar-end.js';
import { watchPaxRecords } from '../archive/pax-records.js';

/**
 * tar-stream applies a PAX global header ("g") only to entries that carry their own PAX header, GNU tar to every
 * later entry: names would differ between verify and `tar -x`. tar-stream keeps the parsed global header in a
 * private field; a test pins that, so an upgrade that renames it fails loudly.
 */
export function sawPaxGlobalHeader(extract: unknown): boolean {
  const global = (extract as { _paxGlobal?: unknown })._paxGlobal;
  return global !== null && global !== undefined;
}

const NO_NOTES: ReadonlyMap<string, EntryNote> = new Map();

/** An archive's bytes read as tar entries: decrypted, decompressed, parsed as they stream (nothing on disk). */
export async function openTarEntries(bytes: ByteSource, options: OpenEntriesOptions): Promise<EntryStream> {
  const opened = await openArchive(bytes, { decrypt: options.decrypt, onRead: options.onRead });
  const extract = tar.extract();
  const tarEnd = watchTarEnd(opened.tar);
  const paxRecords = watchPaxRecords(opened.tar);
  opened.tar.on('error', (error) => extract.destroy(error));
  opened.tar.pipe(extract);
  const close = async () => {
    extract.destroy();
    opened.tar.destroy();
  };
  return {
    compression: opened.compression,
    encrypted: opened.encrypted ?? false,
    size: opened.size,
    storedBytes: async () => opened.size,
    complete: () => tarEnd.sawEnd(),
    sawGlobalHeader: () => sawPaxGlobalHeader(extract),
    malformed: () => paxRecords.problem(),
    notes: NO_NOTES,
    close,
    [Symbol.asyncIterator]: () => extract[Symbol.asyncIterator]() as AsyncIterator<SourceEntry>,
  };
}
