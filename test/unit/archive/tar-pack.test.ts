import { describe, expect, it } from 'vitest';
import { CHUNK, ChunkPool, TarPack } from '../../../src/core/archive/tar-pack.js';

describe('ChunkPool', () => {
  // Identity is compared as a boolean: expect(buffer).toBe(other) formats both 1 MiB buffers for its message, which
  // took this test from milliseconds to 11–30 s.
  it('takes back its own buffers, also through a view, once, and ignores any other', () => {
    const pool = new ChunkPool();
    const a = pool.take();
    pool.give(Buffer.alloc(CHUNK));
    pool.give(Buffer.from(a)); // a copy: another buffer
    expect(pool.take() === a, 'a foreign buffer is not taken back').toBe(false);
    pool.give(a.subarray(0, 10)); // a compressed frame at the start of a pooled output buffer gives it all back
    pool.give(a);
    const again = pool.take();
    expect(again === a, 'its own chunk comes back').toBe(true);
    expect(again.length).toBe(CHUNK);
    expect(pool.take() === a, 'once').toBe(false);
  });

  it('keeps buffers of each size apart', () => {
    const pool = new ChunkPool();
    const small = pool.take(4096);
    const big = pool.take();
    pool.give(small);
    pool.give(big);
    expect(pool.take() === big).toBe(true);
    expect(pool.take(4096) === small).toBe(true);
  });

  it("never adopts a slice of Node's shared small-buffer pool", () => {
    const pool = new ChunkPool();
    const shared = Buffer.allocUnsafe(100); // from Node's 8 KiB pool, shared with other small buffers
    pool.give(shared);
    expect(pool.take(100) === shared).toBe(false);
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
