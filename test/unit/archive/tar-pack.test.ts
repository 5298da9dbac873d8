import { describe, expect, it } from 'vitest';
import { CHUNK, ChunkPool, TarPack } from '../../../src/core/archive/tar-pack.js';

describe('ChunkPool', () => {
  it('hands back only its own whole chunks, once', () => {
    const pool = new ChunkPool();
    const a = pool.take();
    pool.give(a.subarray(0, 10));
    pool.give(Buffer.alloc(CHUNK));
    expect(pool.take()).not.toBe(a);
    pool.give(a);
    pool.give(a);
    expect(pool.take()).toBe(a);
    expect(pool.take()).not.toBe(a);
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
