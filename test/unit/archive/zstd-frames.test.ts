import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompress } from '../../../src/core/archive/compression.js';
import { ParallelZstd } from '../../../src/core/archive/parallel-zstd.js';
import { makeTempDir } from '../../helpers/fixture.js';

function chunked(data: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

async function collect(source: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(source, new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) }));
  return Buffer.concat(out);
}

function sample(): { frames: Buffer; plain: Buffer } {
  const plains: Buffer[] = [];
  const frames: Buffer[] = [];
  for (let i = 0; i < 9; i += 1) {
    const plain = i % 3 === 2 ? randomBytes(70_000 + i) : Buffer.from(`frame ${i} `.repeat(9_000 + i * 100));
    plains.push(plain);
    frames.push(zlib.zstdCompressSync(plain, { params: { [zlib.constants.ZSTD_c_checksumFlag]: i % 2 } }));
    if (i === 4) frames.push(Buffer.concat([Buffer.from([0x53, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]), Buffer.from('abc')])); // skippable
  }
  frames.push(execFileSync('zstd', ['-q', '-c', '-19'], { input: plains[0] }));
  plains.push(plains[0] as Buffer);
  return { frames: Buffer.concat(frames), plain: Buffer.concat(plains) };
}

describe('zstd frames', () => {
  it("Node's decompressor alone stops or fails at a frame boundary inside a write (why the splitter exists)", async () => {
    const { frames, plain } = sample();
    const raw = await collect(chunked(frames, 65_536).pipe(zlib.createZstdDecompress())).catch(() => Buffer.alloc(0));
    expect(raw.length).toBeLessThan(plain.length);
  });

  it('decompress() reads every frame (skippable ones skipped) whatever the chunk boundaries', async () => {
    const { frames, plain } = sample();
    for (const size of [13, 1000, 65_536, frames.length]) {
      expect((await collect(decompress(chunked(frames, size), 'zstd'))).equals(plain), `chunks of ${size}`).toBe(true);
    }
  });

  it('a stream that ends inside a frame is an error', async () => {
    const { frames } = sample();
    for (const cut of [5, 100, frames.length - 1]) {
      await expect(collect(decompress(chunked(frames.subarray(0, cut), 4096), 'zstd'))).rejects.toThrow(/unexpected end/);
    }
  });

  it('ParallelZstd writes one frame per block, read back by zstd -d and by decompress()', async () => {
    const input = Buffer.concat([Buffer.from('assistant: see you at eight.\n'.repeat(40_000)), randomBytes(600_000)]);
    const zst = await collect(chunked(input, 100_000).pipe(new ParallelZstd({ blockSize: 256 * 1024, jobs: 2 })));
    const dir = makeTempDir();
    try {
      const file = path.join(dir, 'x.zst');
      fs.writeFileSync(file, zst);
      const listing = execFileSync('zstd', ['-lv', file], { encoding: 'utf8' });
      expect(Number(/Zstandard Frames: (\d+)/.exec(listing)?.[1])).toBe(Math.ceil(input.length / (256 * 1024)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(execFileSync('zstd', ['-d', '-c'], { input: zst, maxBuffer: 64 << 20 }).equals(input)).toBe(true);
    expect((await collect(decompress(chunked(zst, 50_000), 'zstd'))).equals(input)).toBe(true);
  });
});
