import type fs from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { ChunkPool } from './tar-pack.js';

/**
 * The last stage of the archive pipeline: writes every chunk to the open file (no extra buffering, one write per
 * chunk), gives pooled chunks back once written, and fsyncs before it finishes, so a published archive is on disk.
 */
export class FileSink extends Writable {
  constructor(
    private readonly handle: fs.FileHandle,
    private readonly pool?: ChunkPool,
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll(chunk).then(() => {
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
    this.handle.sync().then(() => callback(), callback);
  }
}

/**
 * The last stage when the archive goes to another program (a child's stdin): forwards each chunk, honours the
 * destination's backpressure, and gives pooled chunks back once the destination has taken them.
 */
export class StreamSink extends Writable {
  constructor(
    private readonly destination: Writable,
    private readonly pool?: ChunkPool,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    destination.on('error', (error) => this.destroy(error));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.destination.write(chunk, (error) => {
      if (!error) this.pool?.give(chunk);
      callback(error);
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.destination.end(() => callback());
  }
}
