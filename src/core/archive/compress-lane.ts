import type { Transform } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { ChunkPool } from './tar-pack.js';

/**
 * Where a Node zlib/zstd stream writes its next output (lib/zlib.js keeps these on the stream since Node 10). Pointing
 * them at a pooled buffer before each block lets the compressor write straight into memory we recycle, instead of a
 * fresh buffer per output chunk that only the garbage collector frees (bench/ANALYSIS.md: that churn, not the data in
 * flight, set the peak RSS). Nothing depends on it for correctness: output that lands anywhere else is copied.
 */
interface OutputTarget {
  _outBuffer: Buffer;
  _outOffset: number;
  _chunkSize: number;
}

/**
 * One long-lived compressor that turns each block it is given into one complete, independent unit (a gzip member,
 * a zstd frame) by ending it with `endFlag`. Reusing the stream keeps its native context (a few MiB of tables) for
 * the whole archive; gzip needs a reset after each member, zstd starts a new frame by itself.
 */
export class CompressLane {
  private parts: Buffer[] = [];
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly stream: Transform & { flush(kind: number, callback: () => void): void },
    private readonly endFlag: number,
    private readonly outputs: ChunkPool,
    /** Output buffer size: at least the compressor's bound for one block, so a unit fits in one buffer. */
    private readonly outputSize: number,
    /** Readies the stream for the next unit (gzip: a reset, so the next member starts with its own header). */
    private readonly afterUnit?: () => void,
  ) {
    stream.on('data', (part: Buffer) => this.parts.push(part));
  }

  /**
   * Compresses `block` into one unit; the result is (normally) a view of a buffer from `outputs`. One at a time;
   * `ms` is the time from this lane starting the block to its end.
   */
  compress(block: Buffer): Promise<{ unit: Buffer; ms: number }> {
    const job = this.tail.then(() => this.compressOne(block));
    this.tail = job.catch(() => {});
    return job;
  }

  private compressOne(block: Buffer): Promise<{ unit: Buffer; ms: number }> {
    const started = performance.now();
    const out = this.outputs.take(this.outputSize);
    const target = this.stream as unknown as OutputTarget;
    target._outBuffer = out;
    target._outOffset = 0;
    target._chunkSize = out.length;
    return new Promise((resolve, reject) => {
      let failed = false;
      const onError = (error: Error) => {
        failed = true;
        this.outputs.give(out);
        reject(error);
      };
      this.stream.once('error', onError);
      this.stream.write(block);
      this.stream.flush(this.endFlag, () => {
        this.stream.off('error', onError);
        // A write that failed (the run stopped, the disk filled) still calls back here, with zlib's binding already
        // closed: resetting it then is an assertion that kills the process instead of a clean exit 1.
        if (failed) return;
        if (this.stream.destroyed) {
          this.outputs.give(out);
          reject(new Error('the compressor was closed before the block was done'));
          return;
        }
        this.afterUnit?.();
        const parts = this.parts;
        this.parts = [];
        resolve({ unit: this.collect(parts, out), ms: performance.now() - started });
      });
    });
  }

  /** The unit in place when every part landed in `out`, in order from its start; else a copy (and `out` goes back). */
  private collect(parts: Buffer[], out: Buffer): Buffer {
    let size = 0;
    let inPlace = true;
    for (const part of parts) {
      if (part.buffer !== out.buffer || part.byteOffset !== out.byteOffset + size) inPlace = false;
      size += part.length;
    }
    if (inPlace) return out.subarray(0, size);
    const copy = Buffer.concat(parts, size);
    this.outputs.give(out);
    return copy;
  }

  close(): void {
    this.stream.destroy();
  }
}
