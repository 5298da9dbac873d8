import fs from 'node:fs/promises';
import { IntegrityError } from '../../errors.js';
import { SparseDecoder, tapSparse } from '../archive/sparse-map.js';
import { hashEntry, WRITE_FLAGS, type HashedEntry } from '../reader/hash-entry.js';

/**
 * Writes a sparse entry (GNU PAX sparse 1.0) as a sparse file: each data region at its offset, the holes skipped,
 * then the file cut to its real size, so it takes on disk what the original took. Returns the hash of the stored
 * bytes, which the manifest records.
 */
export async function writeSparseFile(
  stream: AsyncIterable<unknown>,
  file: string,
  storedSize: number,
  realSize: number,
): Promise<HashedEntry> {
  const decoder = new SparseDecoder(realSize);
  const handle = await fs.open(file, WRITE_FLAGS, 0o600);
  try {
    const write = async (offset: number, data: Buffer) => {
      for (let done = 0; done < data.length;) done += (await handle.write(data, done, data.length - done, offset + done)).bytesWritten;
    };
    const hashed = await hashEntry(tapSparse(stream, decoder, write), { maxBytes: storedSize });
    if (decoder.problem) throw new IntegrityError(`${file}: ${decoder.problem}`);
    await handle.truncate(realSize);
    return { ...hashed, database: false };
  } finally {
    await handle.close();
  }
}
