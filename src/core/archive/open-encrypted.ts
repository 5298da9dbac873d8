import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { IntegrityError } from '../../errors.js';
import { decompressArchive, detectFormat } from './compression.js';
import type { Compression } from '../../config/schema.js';
import { decryptStream } from '../crypto/decrypt-stream.js';
import type { DecryptionKey } from '../crypto/keys.js';

/** Reads at least `n` bytes (or to the end) and returns them with a stream that still yields everything. */
async function peek(stream: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head;
      while (!done) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  return { head, stream: Readable.from(replay(), { objectMode: false }) };
}

/**
 * Opens an age-encrypted archive: decrypts with `key` (the plaintext never touches the disk), then detects and
 * undoes the compression inside. A wrong key or a tampered header throws here; a tampered payload errors the stream.
 */
export async function openEncryptedArchive(file: string, head: Buffer, key: DecryptionKey): Promise<{ compression: Compression; tar: Readable }> {
  const raw = createReadStream(file, { highWaterMark: 1024 * 1024 });
  const plaintext = await decryptStream(raw, key, head, file);
  const peeked = await peek(plaintext, 512).catch((error: unknown) => {
    throw error instanceof IntegrityError ? new IntegrityError(`${file}: ${error.message}`, { cause: error }) : error;
  });
  const format = detectFormat(peeked.head);
  if (format === 'unknown' || format === 'age') {
    peeked.stream.destroy();
    throw new IntegrityError(`${file}: decrypted content is not a tar, tar.gz or tar.zst archive`);
  }
  return decompressArchive(peeked.stream, peeked.head, file);
}
