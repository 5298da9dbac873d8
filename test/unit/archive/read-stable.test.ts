import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { isReplaced, readStableFile } from '../../../src/core/archive/read-stable.js';
import { makeTempDir } from '../../helpers/fixture.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function docFile(): { file: string; staging: string; clean: Buffer } {
  const dir = makeTempDir();
  dirs.push(dir);
  const file = path.join(dir, 'doc.txt');
  const clean = Buffer.from('v1 '.repeat(20000));
  fs.writeFileSync(file, clean);
  return { file, staging: path.join(dir, 'staging'), clean };
}

/**
 * The first read of the file returns a torn version (its second half from a rewrite made within the same clock
 * tick, so size, mtime and ctime do not move), and the process is then descheduled for a second before it looks at
 * the clock — what a loaded machine did to create-live in CI.
 */
function tearFirstReadThenStall(): { reads: () => number } {
  const realRead = fs.readSync;
  const realNow = Date.now;
  let reads = 0;
  let stalledMs = 0;
  vi.spyOn(Date, 'now').mockImplementation(() => realNow() + stalledMs);
  vi.spyOn(fs, 'readSync').mockImplementation(((fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
    const n = realRead(fd, buffer, offset, length, position);
    reads += 1;
    if (reads === 1) {
      const half = Math.floor(n / 6) * 3;
      buffer.write('v2 '.repeat((n - half) / 3), offset + half);
      stalledMs = 1000;
    }
    return n;
  }) as typeof fs.readSync);
  return { reads: () => reads };
}

it('a file changed just before the read is read again, even when the clock is looked at late', async () => {
  const { file, staging, clean } = docFile();
  const spy = tearFirstReadThenStall();
  const read = await readStableFile(file, staging);
  expect(read.kind).toBe('buffer');
  if (read.kind !== 'buffer') return;
  expect(spy.reads()).toBeGreaterThan(1);
  expect(new Set(read.data.toString().trim().split(' '))).toEqual(new Set(['v1']));
  expect(read.data.equals(clean)).toBe(true);
  expect(read.stable).toBe(true);
});

it('a file last changed well before the read is read once', async () => {
  const { file, staging, clean } = docFile();
  const realNow = Date.now;
  vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 10_000);
  const realRead = fs.readSync;
  let reads = 0;
  vi.spyOn(fs, 'readSync').mockImplementation(((...args: Parameters<typeof fs.readSync>) => {
    reads += 1;
    return realRead(...args);
  }) as typeof fs.readSync);
  const read = await readStableFile(file, staging);
  expect(read.kind === 'buffer' && read.data.equals(clean)).toBe(true);
  expect(read.stable).toBe(true);
  expect(reads).toBe(1);
});

it('never reads through a symlink, nor blocks on a FIFO, that replaced a listed file', async () => {
  const { file, staging } = docFile();
  const dir = path.dirname(file);
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not part of the backup');
  const link = path.join(dir, 'was-a-file');
  fs.symlinkSync(path.join(dir, 'secret.txt'), link);
  const fifo = path.join(dir, 'was-a-file-too');
  execFileSync('mkfifo', [fifo]);
  for (const replaced of [link, fifo, dir]) {
    const error = await readStableFile(replaced, staging).catch((e: unknown) => e);
    expect(isReplaced((error as { cause?: unknown }).cause), replaced).toBe(true);
  }
});
