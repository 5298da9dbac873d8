import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Compression } from '../../config/schema.js';
import { openEncryptedArchive } from './open-encrypted.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { BackupError, describeFsError, IntegrityError } from '../../errors.js';
import { createDecompressor, detectFormat } from './compression.js';

export interface OpenedArchive {
  compression: Compression;
  /** The decompressed tar byte stream. */
  tar: Readable;
  size: number;
  /** The file is age-encrypted; `compression` is that of the plaintext inside. */
  encrypted?: boolean;
}

export interface OpenArchiveOptions {
  /** Identity or passphrase for an age-encrypted archive. */
  decrypt?: DecryptionKey | undefined;
}

/** Reads the first bytes of a file to tell gzip, zstd, plain tar and age apart. */
export async function sniffArchive(file: string): Promise<{ head: Buffer; size: number }> {
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: a FIFO or device given as the archive is refused below instead of blocking the open forever.
    handle = await fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    throw new BackupError('failure', `cannot open ${file}: ${describeFsError(error)}`, { cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new IntegrityError(`${file} is not a regular file`);
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, 512, 0);
    return { head: head.subarray(0, bytesRead), size: stat.size };
  } finally {
    await handle.close();
  }
}

/**
 * Opens an archive as a decompressed tar stream. Empty files, unknown formats and encrypted archives without a key
 * are IntegrityErrors with a one-line reason.
 */
export async function openArchive(file: string, options: OpenArchiveOptions = {}): Promise<OpenedArchive> {
  const { head, size } = await sniffArchive(file);
  if (size === 0) throw new IntegrityError(`${file} is empty`);
  const format = detectFormat(head);
  if (format === 'unknown') throw new IntegrityError(`${file} is not a tar, tar.gz or tar.zst archive`);
  if (format === 'age') {
    if (!options.decrypt) throw new IntegrityError(`${file}: age-encrypted; pass --identity or --passphrase-file`);
    return { ...(await openEncryptedArchive(file, head, options.decrypt)), size, encrypted: true };
  }
  const decompressor = createDecompressor(format);
  const raw = createReadStream(file, { highWaterMark: 1024 * 1024 });
  raw.on('error', (error) => decompressor.destroy(error));
  raw.pipe(decompressor);
  return { compression: format, tar: decompressor, size };
}

/** Turns a stream error from zlib or tar-stream into a one-line integrity reason. */
export function describeStreamError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e?.message ?? '')) return 'archive is truncated';
  if (e?.code?.startsWith?.('Z_') || e?.code?.startsWith?.('ERR_ZSTD') || /zstd|incorrect header|invalid (block|distance|stored|code)|checksum/i.test(e?.message ?? '')) {
    return `compressed stream is corrupt (${e.message})`;
  }
  if (/header|checksum|tar/i.test(e?.message ?? '')) return `tar structure is corrupt (${e.message})`;
  return e?.message ?? String(error);
}
