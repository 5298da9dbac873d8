import { PassThrough, type Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { Compression } from '../../config/schema.js';

export const EXTENSIONS: Record<Compression, string> = { gzip: '.tar.gz', zstd: '.tar.zst', none: '.tar' };

export function createCompressor(kind: Compression): Transform {
  switch (kind) {
    case 'gzip':
      return zlib.createGzip({ level: 6 });
    case 'zstd':
      return zlib.createZstdCompress({ params: { [zlib.constants.ZSTD_c_compressionLevel]: 3 } });
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
