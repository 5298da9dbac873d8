import { Readable } from 'node:stream';
import { END_OF_ARCHIVE } from './tar-header.js';

/** Size of the chunks the stages downstream see: few and large, so per-chunk costs vanish. */
export const CHUNK = 1024 * 1024;
/** Free buffers kept per size; about what the pipeline holds at once (more would only be given back to the GC). */
const POOL_LIMIT = 12;

/**
 * Recycles the archive pipeline's large buffers: the tar stream's 1 MiB chunks and the compressors' output buffers.
 * Without it every archived megabyte is a new off-heap buffer, and tens of megabytes of dead ones pile up between two
 * garbage collections: that, not the data in flight, set the peak RSS. Only the last holder of a buffer may give it
 * back (the compressor once a block is compressed, the file sink once it is written); anything else (a stage that
 * transforms the bytes, such as encryption) keeps it and the GC frees it as usual. A view of a pooled buffer (a
 * compressed frame at the start of an output buffer) gives back the whole buffer.
 */
export class ChunkPool {
  private readonly free = new Map<number, Buffer[]>();
  private readonly mine = new WeakMap<ArrayBuffer, Buffer>();

  take(size: number = CHUNK): Buffer {
    const chunk = this.free.get(size)?.pop();
    if (chunk) return chunk;
    const fresh = Buffer.allocUnsafeSlow(size);
    this.mine.set(fresh.buffer as ArrayBuffer, fresh);
    return fresh;
  }

  /** Returns a buffer this pool made (or a view into one); any other buffer is ignored. */
  give(view: Uint8Array): void {
    const chunk = this.mine.get(view.buffer as ArrayBuffer);
    if (!chunk) return;
    let free = this.free.get(chunk.length);
    if (!free) this.free.set(chunk.length, (free = []));
    if (free.length >= POOL_LIMIT || free.includes(chunk)) return;
    free.push(chunk);
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
    // A partial chunk leaves as a view of the pooled block; a fresh block is taken for what follows.
    const chunk = this.used === CHUNK ? this.block : this.block.subarray(0, this.used);
    this.block = this.pool.take();
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
