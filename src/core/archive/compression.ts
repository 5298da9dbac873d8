import { PassThrough, type Readable, type Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { Compression } from '../../config/schema.js';
import { ParallelGzip } from './parallel-gzip.js';
import { ParallelZstd } from './parallel-zstd.js';
import type { ChunkPool } from './tar-pack.js';
import type { Timings } from './timings.js';
import { ZstdFrameSplitter } from './zstd-frames.js';

export const EXTENSIONS: Record<Compression, string> = { gzip: '.tar.gz', zstd: '.tar.zst', none: '.tar' };

/**
 * gzip -6 and zstd -3 on every core: independent gzip members or zstd frames per 1 MiB block (parallel-blocks.ts),
 * which every conforming reader decodes as one stream (ours: zstd-frames.ts). No stage at all for `none`.
 */
export function createCompressor(kind: Compression, pool?: ChunkPool, timings?: Timings): Transform | undefined {
  switch (kind) {
    case 'gzip':
      return new ParallelGzip({ level: 6, pool, timings });
    case 'zstd':
      return new ParallelZstd({ level: 3, pool, timings });
    case 'none':
      return undefined;
  }
}

export type DetectedFormat = Compression | 'age' | 'unknown';

const AGE_MAGIC = Buffer.from('age-encryption.org/v1');

/** Identifies a stream from its first bytes (at least 512 for plain tar). */
export function detectFormat(head: Buffer): DetectedFormat {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= AGE_MAGIC.length && head.subarray(0, AGE_MAGIC.length).equals(AGE_MAGIC)) return 'age';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'none';
  return 'unknown';
}

/**
 * The decompressed stream of `raw`. zstd goes through the frame splitter first, so a file of many frames is read
 * to its end (see zstd-frames.ts); a gzip file of many members is handled by zlib itself.
 */
export function decompress(raw: Readable, kind: Compression): Readable {
  if (kind === 'none' && !raw.errored) return raw;
  const decompressor = kind === 'none' ? new PassThrough() : createDecompressor(kind);
  if (kind === 'zstd') {
    const splitter = new ZstdFrameSplitter();
    raw.on('error', (error) => splitter.destroy(error));
    splitter.on('error', (error) => decompressor.destroy(error));
    raw.pipe(splitter).pipe(decompressor);
  } else {
    raw.on('error', (error) => decompressor.destroy(error));
    raw.pipe(decompressor);
  }
  // An error that came before these listeners (see readHead in source.ts) is only in `errored`: pass it on.
  if (raw.errored) process.nextTick(() => decompressor.destroy(raw.errored as Error));
  // A reader that stops early (a header read, an integrity failure) destroys the tar stream: stop reading too.
  decompressor.once('close', () => raw.destroy());
  return decompressor;
}

/**
 * More out per thread-pool round trip than zlib's 16 KiB, but 64 KiB, not 256: each output chunk is a new buffer
 * that lives until the small entries in it are read, and a 256 KiB one lived long enough to be promoted, so dead ones
 * piled up in the old generation (reader/byte-source.ts). A large file's dead chunks wait for the next scavenge, which
 * comes after a fixed amount of JS allocation, i.e. after a fixed number of chunks: 256 KiB ones let ~50 MB pile up
 * (zstd, 2 GB state), 64 KiB ones a quarter of that.
 */
const DECOMPRESSED_CHUNK = 64 * 1024;

function createDecompressor(kind: 'gzip' | 'zstd'): Transform {
  return kind === 'gzip'
    ? zlib.createGunzip({ chunkSize: DECOMPRESSED_CHUNK })
    : zlib.createZstdDecompress({ chunkSize: DECOMPRESSED_CHUNK });
}
