import type { Readable } from 'node:stream';
import { IntegrityError } from '../../errors.js';
import { decompress, detectFormat } from '../archive/compression.js';
import { readHead } from './byte-source.js';
import type { Compression } from '../../config/schema.js';
import { decryptStream } from '../crypto/decrypt-stream.js';
import type { DecryptionKey } from '../crypto/keys.js';

/**
 * Opens an age-encrypted archive: decrypts with `key` (the plaintext never touches the disk), then detects and
 * undoes the compression inside. A wrong key or a tampered header throws here; a tampered payload errors the stream.
 */
export async function openEncryptedArchive(
  ciphertext: Readable,
  label: string,
  head: Buffer,
  key: DecryptionKey,
): Promise<{ compression: Compression; tar: Readable }> {
  const plaintext = await decryptStream(ciphertext, key, head, label);
  const peeked = await readHead(plaintext, 512).catch((error: unknown) => {
    throw error instanceof IntegrityError ? new IntegrityError(`${label}: ${error.message}`, { cause: error }) : error;
  });
  const format = detectFormat(peeked.head);
  if (format === 'unknown' || format === 'age') {
    peeked.stream.destroy();
    throw new IntegrityError(`${label}: decrypted content is not a tar, tar.gz or tar.zst archive`);
  }
  return { compression: format, tar: decompress(peeked.stream, format) };
}
