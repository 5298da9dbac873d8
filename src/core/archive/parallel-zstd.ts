import zlib from 'node:zlib';
import { ParallelBlocks, type ParallelBlocksOptions } from './parallel-blocks.js';

const OUTPUT_CHUNK = 256 * 1024;
/** Room for a whole frame of output in a lane's readable buffer, so zlib never waits for a reader mid-frame. */
const LANE_BUFFER = 4 * 1024 * 1024;

export interface ParallelZstdOptions extends ParallelBlocksOptions {
  level?: number;
}

/**
 * One long-lived zstd compressor that turns each block it is given into one complete frame (ZSTD_e_end per block).
 * Reusing the context, instead of zlib.zstdCompress's fresh one (a few MiB of native tables) per block, keeps the
 * native heap from churning through hundreds of them.
 */
interface Lane {
  frame: (block: Buffer) => Promise<Buffer[]>;
  close: () => void;
}

function createLane(params: Record<number, number>): Lane {
  const stream = zlib.createZstdCompress({ params, chunkSize: OUTPUT_CHUNK, readableHighWaterMark: LANE_BUFFER } as zlib.ZstdOptions);
  let tail: Promise<unknown> = Promise.resolve();
  const frame = (block: Buffer) =>
    new Promise<Buffer[]>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      stream.once('error', onError);
      stream.write(block);
      stream.flush(zlib.constants.ZSTD_e_end, () => {
        stream.off('error', onError);
        const parts: Buffer[] = [];
        for (let part = stream.read() as Buffer | null; part !== null; part = stream.read() as Buffer | null) parts.push(part);
        resolve(parts);
      });
    });
  return {
    frame: (block) => {
      const job = tail.then(() => frame(block));
      tail = job.catch(() => {});
      return job;
    },
    close: () => stream.destroy(),
  };
}

/**
 * zstd on every core: each block becomes a complete zstd frame (content checksum in it), the layout pzstd writes.
 * RFC 8878 lets a file hold any number of frames; `zstd -d`, GNU tar and our frame-aware reader (zstd-frames.ts)
 * decode them all. Not zstd's own workers (ZSTD_c_nbWorkers): Node 24's stream wrapper ends a multi-threaded frame
 * early and pushes after EOF.
 */
export class ParallelZstd extends ParallelBlocks {
  constructor(options: ParallelZstdOptions = {}) {
    const params = {
      [zlib.constants.ZSTD_c_compressionLevel]: options.level ?? 3,
      [zlib.constants.ZSTD_c_checksumFlag]: 1,
    };
    const lanes: Lane[] = [];
    let next = 0;
    super((block) => {
      const lane = lanes[next % lanes.length] as Lane;
      next += 1;
      return lane.frame(block);
    }, options);
    for (let i = 0; i < this.jobCount; i += 1) lanes.push(createLane(params));
    // The native contexts go with the stream, whether it finished or failed.
    this.once('close', () => lanes.forEach((lane) => lane.close()));
  }
}
