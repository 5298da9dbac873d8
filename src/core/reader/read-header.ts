import fs from 'node:fs/promises';
import zlib from 'node:zlib';
import { IntegrityError } from '../../errors.js';
import { detectFormat } from '../archive/compression.js';
import { FORMAT_NAME, HEADER_PATH, type ArchiveHeader } from '../archive/manifest.js';

const MAX_READ = 1024 * 1024;

function octal(block: Buffer, start: number, length: number): number {
  const text = block
    .subarray(start, start + length)
    .toString('latin1')
    .replace(/\0.*$/s, '')
    .trim();
  return text ? Number.parseInt(text, 8) : 0;
}

function cString(block: Buffer, start: number, length: number): string {
  return block
    .subarray(start, start + length)
    .toString('utf8')
    .replace(/\0.*$/s, '');
}

/** Decompresses as much of `raw` (a prefix of the file) as it holds, without requiring the stream's end. */
function inflatePrefix(raw: Buffer, format: 'gzip' | 'zstd' | 'none'): Buffer {
  if (format === 'none') return raw;
  if (format === 'gzip') return zlib.gunzipSync(raw, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return zlib.zstdDecompressSync(raw, { finishFlush: zlib.constants.ZSTD_e_flush });
}

/** The first tar entry if it is complete in `tar`; undefined when more bytes are needed. */
function firstEntry(tar: Buffer): { name: string; body: Buffer } | undefined {
  let offset = 0;
  let paxPath: string | undefined;
  for (;;) {
    if (tar.length < offset + 512) return undefined;
    const block = tar.subarray(offset, offset + 512);
    const size = octal(block, 124, 12);
    const type = String.fromCharCode(block[156] ?? 0);
    const bodyStart = offset + 512;
    if (tar.length < bodyStart + size) return undefined;
    const body = tar.subarray(bodyStart, bodyStart + size);
    if (type === 'x') {
      paxPath = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
      offset = bodyStart + Math.ceil(size / 512) * 512;
      continue;
    }
    const prefix = cString(block, 345, 155);
    const name = paxPath ?? (prefix ? `${prefix}/${cString(block, 0, 100)}` : cString(block, 0, 100));
    return { name, body };
  }
}

/**
 * Reads only the first tar entry of an archive (our header) from a bounded prefix of the file: cheap enough to run
 * over a whole backups dir, and never holds a file open. Throws IntegrityError when it is not our archive.
 */
export async function readArchiveHeader(file: string): Promise<ArchiveHeader> {
  const handle = await fs.open(file, 'r');
  try {
    let want = 16 * 1024;
    for (;;) {
      const raw = Buffer.alloc(want);
      const { bytesRead } = await handle.read(raw, 0, want, 0);
      const data = raw.subarray(0, bytesRead);
      const format = detectFormat(data);
      if (format === 'age') throw new IntegrityError(`${file} is encrypted`);
      if (format === 'unknown') throw new IntegrityError(`${file} is not a tar, tar.gz or tar.zst archive`);
      let entry: { name: string; body: Buffer } | undefined;
      try {
        entry = firstEntry(inflatePrefix(data, format));
      } catch (error) {
        throw new IntegrityError(`${file}: cannot read the first entry (${(error as Error).message})`, { cause: error });
      }
      if (entry) {
        if (entry.name !== HEADER_PATH) throw new IntegrityError(`${file}: first entry is ${entry.name}, not ${HEADER_PATH}`);
        let header: ArchiveHeader | undefined;
        try {
          header = JSON.parse(entry.body.toString('utf8')) as ArchiveHeader;
        } catch {
          throw new IntegrityError(`${file}: header entry is not JSON`);
        }
        if (header?.format !== FORMAT_NAME) throw new IntegrityError(`${file}: header is not an ${FORMAT_NAME} header`);
        return header;
      }
      if (bytesRead < want || want >= MAX_READ) throw new IntegrityError(`${file}: header entry is truncated`);
      want *= 4;
    }
  } finally {
    await handle.close();
  }
}
