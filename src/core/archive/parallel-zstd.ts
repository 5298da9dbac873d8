import zlib from 'node:zlib';
import { CompressLane } from './compress-lane.js';
import { ParallelBlocks, type ParallelBlocksOptions } from './parallel-blocks.js';

export interface ParallelZstdOptions extends ParallelBlocksOptions {
  level?: number;
}

const WINDOW_LOG = 20;

/** ZSTD_compressBound for one block plus the frame header and checksum, rounded up generously. */
const outputSizeFor = (blockSize: number) => blockSize + (blockSize >> 8) + 64 * 1024;

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
      // A frame never reaches back past its own block: a window of the block size (1 MiB) loses no match and halves
      // the context's input buffer (level 3 would take 2 MiB).
      [zlib.constants.ZSTD_c_windowLog]: WINDOW_LOG,
    };
    super((pool, blockSize) => {
      const stream = zlib.createZstdCompress({ params, readableHighWaterMark: outputSizeFor(blockSize) } as zlib.ZstdOptions);
      return new CompressLane(stream, zlib.constants.ZSTD_e_end, pool, outputSizeFor(blockSize));
    }, options);
  }
}
