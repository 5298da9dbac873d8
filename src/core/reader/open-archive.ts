import type { Readable } from 'node:stream';
import type { Compression } from '../../config/schema.js';
import { openEncryptedArchive } from './open-encrypted.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { BackupError, describeFsError, IntegrityError, UsageError } from '../../errors.js';
import { KEY_NEEDED } from '../crypto/keys.js';
import { decompress, detectFormat } from '../archive/compression.js';
import { countReads, readHead, type ByteSource } from './byte-source.js';

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
  /** Bytes of the archive file read so far, for progress (the file's size is the total). */
  onRead?: ((bytes: number) => void) | undefined;
}

/**
 * Opens an archive's bytes as a decompressed tar stream. Empty input and unknown formats are IntegrityErrors with a
 * one-line reason; an encrypted archive without a key is a UsageError naming the key options.
 */
export async function openArchive(source: ByteSource, options: OpenArchiveOptions = {}): Promise<OpenedArchive> {
  const label = source.label;
  const opened = await source.open();
  const { head, stream } = await readHead(opened.stream, 512).catch((error: unknown) => {
    opened.stream.destroy();
    throw new BackupError('failure', `cannot read ${label}: ${describeFsError(error)}`, { cause: error });
  });
  const size = opened.size ?? 0;
  countReads(stream, options.onRead);
  const fail = (error: IntegrityError): never => {
    stream.destroy();
    throw error;
  };
  if (head.length === 0) fail(new IntegrityError(`${label} is empty`));
  const format = detectFormat(head);
  if (format === 'unknown') fail(new IntegrityError(`${label} is not a tar, tar.gz or tar.zst archive`));
  if (format === 'age') {
    // Not damage: the user has to name the key (exit 2), as restic asks for a password instead of calling a repository corrupt.
    if (!options.decrypt) {
      stream.destroy();
      throw new UsageError(`${label}: ${KEY_NEEDED}`);
    }
    return { ...(await openEncryptedArchive(stream, label, head, options.decrypt as DecryptionKey)), size, encrypted: true };
  }
  return { compression: format as Compression, tar: decompress(stream, format as Compression), size };
}

/** Turns a stream error from zlib or tar-stream into a one-line integrity reason. */
export function describeStreamError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e?.message ?? '')) return 'archive is truncated';
  if (
    e?.code?.startsWith?.('Z_') ||
    e?.code?.startsWith?.('ERR_ZSTD') ||
    /zstd|incorrect header|invalid (block|distance|stored|code)|checksum/i.test(e?.message ?? '')
  ) {
    return `compressed stream is corrupt (${e.message})`;
  }
  if (/header|checksum|tar/i.test(e?.message ?? '')) return `tar structure is corrupt (${e.message})`;
  return e?.message ?? String(error);
}
