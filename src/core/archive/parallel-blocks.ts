import os from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import type { ChunkPool } from './tar-pack.js';

export interface ParallelBlocksOptions {
  /** Input bytes per independently compressed block. */
  blockSize?: number;
  /** Blocks compressed at once (on libuv's thread pool). */
  jobs?: number;
  /** Input chunks from this pool are given back once compressed. */
  pool?: ChunkPool | undefined;
}

/**
 * Compression on every core: the input is cut into fixed-size blocks, each compressed on its own by `compress`
 * (zlib's async API runs on the libuv thread pool) into a self-contained unit (a gzip member, a zstd frame, as one
 * buffer or a few), and the units are written in order. Memory stays at about (jobs + 1) blocks in and out.
 */
export class ParallelBlocks extends Transform {
  private readonly blockSize: number;
  private readonly jobs: number;
  /** How many blocks are compressed at once. */
  get jobCount(): number {
    return this.jobs;
  }
  private parts: Buffer[] = [];
  private size = 0;
  private readonly queue: Array<Promise<Buffer | Buffer[]>> = [];
  private blocks = 0;
  private readonly pool: ChunkPool | undefined;

  constructor(
    private readonly compress: (block: Buffer) => Promise<Buffer | Buffer[]>,
    options: ParallelBlocksOptions = {},
  ) {
    super();
    this.blockSize = options.blockSize ?? 1024 * 1024;
    this.jobs = Math.max(1, options.jobs ?? os.availableParallelism());
    this.pool = options.pool;
  }

  private dispatch(): void {
    const block = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    const job = this.compress(block).then((unit) => {
      this.pool?.give(block);
      return unit;
    });
    job.catch(() => {}); // awaited in order below; this only keeps an early failure from being "unhandled"
    this.queue.push(job);
    this.blocks += 1;
  }

  /** Emits finished units in order until at most `limit` are still compressing. */
  private async drain(limit: number): Promise<void> {
    while (this.queue.length > limit) {
      const unit = await (this.queue.shift() as Promise<Buffer | Buffer[]>);
      if (Array.isArray(unit)) for (const part of unit) this.push(part);
      else this.push(unit);
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.blockSize - this.size, chunk.length - offset);
      this.parts.push(offset === 0 && take === chunk.length ? chunk : chunk.subarray(offset, offset + take));
      this.size += take;
      offset += take;
      if (this.size === this.blockSize) this.dispatch();
    }
    this.drain(this.jobs).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    // An empty input still becomes one (empty) unit, so the file is a valid compressed stream.
    if (this.size > 0 || this.blocks === 0) this.dispatch();
    this.drain(0).then(() => callback(), callback);
  }
}
