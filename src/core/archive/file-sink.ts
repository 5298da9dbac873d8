import type fs from 'node:fs/promises';
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { ChunkPool } from './tar-pack.js';
import type { Timings } from './timings.js';

/**
 * The last stage of the archive pipeline: shows every chunk to `observe` (the archive's hash), writes it to the open
 * file (no buffering: one chunk at a time, the next waits upstream in its pooled buffer), gives pooled chunks back
 * once written, and fsyncs before it finishes, so a published archive is on disk.
 */
export class FileSink extends Writable {
  constructor(
    private readonly handle: fs.FileHandle,
    private readonly pool?: ChunkPool,
    private readonly observe?: (chunk: Buffer) => void,
    private readonly timings?: Timings,
  ) {
    super({ highWaterMark: 0 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.observe?.(chunk);
    const started = performance.now();
    this.writeAll(chunk).then(() => {
      this.timings?.add('write', performance.now() - started);
      this.pool?.give(chunk);
      callback();
    }, callback);
  }

  private async writeAll(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, offset, chunk.length - offset);
      offset += bytesWritten;
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    const started = performance.now();
    this.handle.sync().then(() => {
      this.timings?.add('fsync', performance.now() - started);
      callback();
    }, callback);
  }
}

/**
 * The last stage when the archive goes to another program (a child's stdin): shows each chunk to `observe`, forwards
 * it, honours the destination's backpressure, and gives pooled chunks back once the destination has taken them.
 */
export class StreamSink extends Writable {
  constructor(
    private readonly destination: Writable,
    private readonly pool?: ChunkPool,
    private readonly observe?: (chunk: Buffer) => void,
  ) {
    super({ highWaterMark: 0 });
    destination.on('error', (error) => this.destroy(error));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.observe?.(chunk);
    this.destination.write(chunk, (error) => {
      if (!error) this.pool?.give(chunk);
      callback(error);
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.destination.end(() => callback());
  }
}
