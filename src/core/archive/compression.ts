import { PassThrough, type Readable, type Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import type { Compression } from '../../config/schema.js';
import { ParallelGzip } from './parallel-gzip.js';
import type { ChunkPool } from './tar-pack.js';

export const EXTENSIONS: Record<Compression, string> = { gzip: '.tar.gz', zstd: '.tar.zst', none: '.tar' };

/** zstd -3 that gives each input chunk back to the pool once zstd has consumed it (its write callback). */
class PooledZstdCompress extends zlib.ZstdCompress {
  constructor(private readonly pool: ChunkPool | undefined) {
    super({ params: { [zlib.constants.ZSTD_c_compressionLevel]: 3 }, chunkSize: 256 * 1024 });
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    super._transform(chunk, encoding, (error?: Error | null, data?: unknown) => {
      if (!error) this.pool?.give(chunk);
      callback(error, data);
    });
  }
}

/**
 * gzip -6 on every core (concatenated members, see parallel-gzip.ts) and zstd -3 on one thread-pool thread, which
 * already runs beside the main thread. Not zstd's own workers (ZSTD_c_nbWorkers): Node 24's stream wrapper ends
 * too early on a multi-threaded frame and pushes after EOF. Not one zstd frame per block either: Node's zstd
 * decompressor stops at the first frame, so our own verify and restore could not read such an archive.
 */
export function createCompressor(kind: Compression, pool?: ChunkPool): Transform {
  switch (kind) {
    case 'gzip':
      return new ParallelGzip({ level: 6, pool });
    case 'zstd':
      return new PooledZstdCompress(pool);
    case 'none':
      return new PassThrough();
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

export function createDecompressor(kind: Compression): Transform {
  switch (kind) {
    case 'gzip':
      return zlib.createGunzip();
    case 'zstd':
      return zlib.createZstdDecompress();
    case 'none':
      return new PassThrough();
  }
}

/** Pipes raw archive bytes through the decompressor for `format`; a read error errors the tar stream. */
export function decompress(raw: Readable, format: Compression): Readable {
  const decompressor = createDecompressor(format);
  raw.on('error', (error) => decompressor.destroy(error));
  // An error that came before this listener (see readHead) is only in `errored`: pass it on.
  if (raw.errored) process.nextTick(() => decompressor.destroy(raw.errored as Error));
  raw.pipe(decompressor);
  return decompressor;
}
