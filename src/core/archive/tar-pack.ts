import { Readable } from 'node:stream';
import { END_OF_ARCHIVE } from './tar-header.js';

/** Size of the chunks the stages downstream see: few and large, so per-chunk costs vanish. */
export const CHUNK = 1024 * 1024;
const POOL_LIMIT = 16;

/**
 * Recycles the tar stream's 1 MiB chunks. Without it every archived megabyte is a new off-heap buffer, and tens of
 * megabytes of dead ones pile up between two garbage collections: that, not the data in flight, set the peak RSS.
 * Only the last holder of a chunk may give it back (the gzip stage once a member is compressed, the file sink
 * once it is written); anything else (a stage that transforms the bytes) keeps it and the GC frees it as usual.
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];
  private readonly mine = new WeakSet<Buffer>();

  take(): Buffer {
    const chunk = this.free.pop();
    if (chunk) return chunk;
    const fresh = Buffer.allocUnsafe(CHUNK);
    this.mine.add(fresh);
    return fresh;
  }

  /** Returns a chunk this pool made; any other buffer (a slice, a stage's own output) is ignored. */
  give(chunk: Buffer): void {
    if (!this.mine.has(chunk) || this.free.length >= POOL_LIMIT || this.free.includes(chunk)) return;
    this.free.push(chunk);
  }
}

/**
 * The tar byte stream as a plain Readable. Headers, data and padding are copied into 1 MiB chunks as they are
 * appended (synchronously), so callers may reuse their buffers at once and thousands of small files cost a few
 * large chunks, not thousands of small ones. The writer does its own flow control from `pushed` and what the
 * next stage consumed.
 */
export class TarPack extends Readable {
  pushed = 0;
  private block: Buffer;
  private used = 0;

  constructor(private readonly pool: ChunkPool) {
    super();
    this.block = pool.take();
  }

  override _read(): void {}

  /** Copies `data` into the stream. */
  append(data: Uint8Array): void {
    let offset = 0;
    while (offset < data.length) {
      const take = Math.min(CHUNK - this.used, data.length - offset);
      this.block.set(take === data.length ? data : data.subarray(offset, offset + take), this.used);
      this.used += take;
      offset += take;
      if (this.used === CHUNK) this.flush();
    }
  }

  /** Sends what was appended so far. */
  flush(): void {
    if (this.used === 0) return;
    // A partial chunk leaves as a copy, so the pooled block can be refilled at once.
    const chunk = this.used === CHUNK ? this.block : Buffer.from(this.block.subarray(0, this.used));
    if (this.used === CHUNK) this.block = this.pool.take();
    this.used = 0;
    this.pushed += chunk.length;
    this.push(chunk);
  }

  /** Writes the end-of-archive marker and ends the stream. */
  finalize(): void {
    this.append(END_OF_ARCHIVE);
    this.flush();
    this.push(null);
  }
}
