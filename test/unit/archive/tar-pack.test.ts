import { describe, expect, it } from 'vitest';
import { CHUNK, ChunkPool, TarPack } from '../../../src/core/archive/tar-pack.js';

describe('ChunkPool', () => {
  // Identity is compared as a boolean: expect(buffer).toBe(other) formats both 1 MiB buffers for its message, which
  // took this test from milliseconds to 11–30 s.
  it('hands back only its own whole chunks, once', () => {
    const pool = new ChunkPool();
    const a = pool.take();
    pool.give(a.subarray(0, 10));
    pool.give(Buffer.alloc(CHUNK));
    expect(pool.take() === a, 'a slice or a foreign buffer is not taken back').toBe(false);
    pool.give(a);
    pool.give(a);
    expect(pool.take() === a, 'its own chunk comes back').toBe(true);
    expect(pool.take() === a, 'once').toBe(false);
  });
});

describe('TarPack', () => {
  it('gathers appends into 1 MiB chunks and copies them, so callers may reuse their buffers', async () => {
    const pack = new TarPack(new ChunkPool());
    const chunks: Buffer[] = [];
    pack.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
    const ended = new Promise((resolve) => pack.on('end', resolve));
    const scratch = Buffer.alloc(300_000);
    for (let i = 0; i < 10; i += 1) {
      scratch.fill(i);
      pack.append(scratch);
    }
    pack.finalize();
    await ended;
    expect(chunks.slice(0, -1).every((c) => c.length === CHUNK)).toBe(true);
    const all = Buffer.concat(chunks);
    expect(all.length).toBe(3_000_000 + 1024);
    for (let i = 0; i < 10; i += 1) expect(all[i * 300_000 + 299_999]).toBe(i);
    expect(pack.pushed).toBe(all.length);
  });
});
