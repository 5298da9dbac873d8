import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ParallelBlocks, type ParallelBlocksOptions } from './parallel-blocks.js';

const OUTPUT_CHUNK = 256 * 1024;
const zstdAsync = promisify(zlib.zstdCompress) as (data: Buffer, options: zlib.ZstdOptions) => Promise<Buffer>;

export interface ParallelZstdOptions extends ParallelBlocksOptions {
  level?: number;
}

/**
 * zstd on every core: each block becomes a complete zstd frame (content size and checksum in it), the layout pzstd
 * and `zstd -T` with --rsyncable readers expect; RFC 8878 lets a file hold any number of frames and `zstd -d`, GNU tar
 * and our frame-aware reader (zstd-frames.ts) decode them all. Not zstd's own workers (ZSTD_c_nbWorkers): Node 24's
 * stream wrapper ends a multi-threaded frame early and pushes after EOF.
 */
export class ParallelZstd extends ParallelBlocks {
  constructor(options: ParallelZstdOptions = {}) {
    const params = {
      [zlib.constants.ZSTD_c_compressionLevel]: options.level ?? 3,
      [zlib.constants.ZSTD_c_checksumFlag]: 1,
    };
    super((block) => zstdAsync(block, { params, chunkSize: OUTPUT_CHUNK }), options);
  }
}
