import type { Readable } from 'node:stream';
import { BLOCK } from './tar-header.js';

/** The end-of-archive marker: two zero blocks (POSIX). GNU tar, bsdtar, Python's tarfile, node-tar and we write them. */
const MARKER = 2 * BLOCK;

/**
 * Watches a tar byte stream for its end-of-archive marker: whether, once it has ended, its length was whole blocks
 * and the last two blocks were zeros. Costs a copy of at most 1 KiB per chunk.
 */
export function watchTarEnd(tar: Readable): { sawEnd: () => boolean } {
  const tail = Buffer.alloc(MARKER);
  let filled = 0;
  let total = 0;
  tar.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (chunk.length >= MARKER) {
      chunk.copy(tail, 0, chunk.length - MARKER);
      filled = MARKER;
      return;
    }
    const keep = Math.min(filled, MARKER - chunk.length);
    tail.copy(tail, 0, filled - keep, filled);
    chunk.copy(tail, keep);
    filled = keep + chunk.length;
  });
  return { sawEnd: () => filled === MARKER && total % BLOCK === 0 && tail.every((byte) => byte === 0) };
}
