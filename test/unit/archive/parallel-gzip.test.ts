import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ParallelGzip } from '../../../src/core/archive/parallel-gzip.js';
import { makeTempDir } from '../../helpers/fixture.js';

async function compress(input: Buffer, chunk: number, options: ConstructorParameters<typeof ParallelGzip>[0]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) parts.push(input.subarray(i, i + chunk));
  const out: Buffer[] = [];
  await pipeline(Readable.from(parts), new ParallelGzip(options), new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) }));
  return Buffer.concat(out);
}

function mixedInput(): Buffer {
  const text = Buffer.from('assistant: remember the dinner on friday at eight.\n'.repeat(20_000));
  return Buffer.concat([text, randomBytes(700_000), text.subarray(0, 123_457)]);
}

describe('ParallelGzip', () => {
  it('writes several members that gunzip, gzip -t and GNU tar read back as one stream', async () => {
    const input = mixedInput();
    const gz = await compress(input, 100_000, { blockSize: 256 * 1024, jobs: 3 });
    expect(gz.length).toBeLessThan(input.length);
    // More than one member: the magic appears again after the first one.
    expect(gz.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), 10)).toBeGreaterThan(0);
    expect(zlib.gunzipSync(gz).equals(input)).toBe(true);
    const dir = makeTempDir();
    try {
      const file = path.join(dir, 'x.gz');
      fs.writeFileSync(file, gz);
      execFileSync('gzip', ['-t', file]);
      expect(execFileSync('gzip', ['-dc', file], { maxBuffer: 64 << 20 }).equals(input)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps member order whatever the block boundaries', async () => {
    const input = mixedInput();
    for (const [chunk, blockSize] of [
      [1, 64 * 1024],
      [65_536, 65_536],
      [1_000_000, 4096],
      [333_333, 1024 * 1024],
    ] as const) {
      const sample = chunk === 1 ? input.subarray(0, 200_000) : input;
      expect(zlib.gunzipSync(await compress(sample, chunk, { blockSize, jobs: 2 })).equals(sample)).toBe(true);
    }
  });

  it('turns empty input into a valid empty gzip file', async () => {
    const gz = await compress(Buffer.alloc(0), 1, {});
    expect(gz.length).toBeGreaterThan(0);
    expect(zlib.gunzipSync(gz).length).toBe(0);
  });

  it('GNU tar extracts a tar stream compressed this way', async () => {
    const dir = makeTempDir();
    try {
      const src = path.join(dir, 'src');
      fs.mkdirSync(src);
      const big = mixedInput();
      fs.writeFileSync(path.join(src, 'big.bin'), big);
      for (let i = 0; i < 50; i += 1) fs.writeFileSync(path.join(src, `n${i}.md`), `note ${i}\n`.repeat(i * 40));
      const tarBytes = execFileSync('tar', ['-C', dir, '-cf', '-', 'src'], { maxBuffer: 64 << 20 });
      const archive = path.join(dir, 'a.tar.gz');
      fs.writeFileSync(archive, await compress(tarBytes, 1024 * 1024, { blockSize: 128 * 1024 }));
      const out = path.join(dir, 'out');
      fs.mkdirSync(out);
      execFileSync('tar', ['-C', out, '-xzf', archive]);
      expect(fs.readFileSync(path.join(out, 'src', 'big.bin')).equals(big)).toBe(true);
      expect(fs.readFileSync(path.join(out, 'src', 'n49.md'), 'utf8')).toBe('note 49\n'.repeat(49 * 40));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
