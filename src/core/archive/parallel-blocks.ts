import os from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import type { CompressLane } from './compress-lane.js';
import { ChunkPool } from './tar-pack.js';
import type { Timings } from './timings.js';

export interface ParallelBlocksOptions {
  /** Input bytes per independently compressed block. */
  blockSize?: number;
  /** Blocks compressed at once (on libuv's thread pool), one lane each. */
  jobs?: number;
  /**
   * Input chunks from this pool are given back once compressed; outputs are taken from it, for the last stage (the
   * file sink) to give back once written.
   */
  pool?: ChunkPool | undefined;
  /** Where the time each block took to compress is added up (the debug log's "compress"). */
  timings?: Timings | undefined;
}

/**
 * Compression on every core: the input is cut into fixed-size blocks, each compressed on its own by one of `jobs`
 * long-lived lanes (zlib's async API runs on the libuv thread pool) into a self-contained unit (a gzip member, a zstd
 * frame), and the units are written in order. Memory stays at about (jobs + 1) blocks in and out, in recycled buffers.
 */
export class ParallelBlocks extends Transform {
  protected readonly blockSize: number;
  private readonly lanes: CompressLane[] = [];
  private parts: Buffer[] = [];
  private size = 0;
  private readonly queue: Array<Promise<Buffer>> = [];
  private blocks = 0;
  protected readonly pool: ChunkPool;
  private readonly timings: Timings | undefined;

  constructor(makeLane: (pool: ChunkPool, blockSize: number) => CompressLane, options: ParallelBlocksOptions = {}) {
    super();
    this.blockSize = options.blockSize ?? 1024 * 1024;
    this.pool = options.pool ?? new ChunkPool();
    this.timings = options.timings;
    const jobs = Math.max(1, options.jobs ?? os.availableParallelism());
    for (let i = 0; i < jobs; i += 1) this.lanes.push(makeLane(this.pool, this.blockSize));
    // The native contexts go with the stream, whether it finished or failed.
    this.once('close', () => this.lanes.forEach((lane) => lane.close()));
  }

  private dispatch(): void {
    const block = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    const lane = this.lanes[this.blocks % this.lanes.length] as CompressLane;
    const job = lane.compress(block).then(({ unit, ms }) => {
      this.timings?.add('compress', ms);
      this.pool.give(block);
      return unit;
    });
    job.catch(() => {}); // awaited in order below; this only keeps an early failure from being "unhandled"
    this.queue.push(job);
    this.blocks += 1;
  }

  /** Emits finished units in order until at most `limit` are still compressing. */
  private async drain(limit: number): Promise<void> {
    while (this.queue.length > limit) this.push(await (this.queue.shift() as Promise<Buffer>));
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
    this.drain(this.lanes.length).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    // An empty input still becomes one (empty) unit, so the file is a valid compressed stream.
    if (this.size > 0 || this.blocks === 0) this.dispatch();
    this.drain(0).then(() => callback(), callback);
  }
}
