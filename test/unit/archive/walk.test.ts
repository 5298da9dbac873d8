import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { walkTree } from '../../../src/core/archive/walk.js';
import { makeTempDir, writeTree } from '../../helpers/fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function collect<T>(walk: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const entry of walk) out.push(entry);
  return out;
}

it('lists regular files without an lstat when asked, in the same order and with the same skips', async () => {
  const root = makeTempDir();
  dirs.push(root);
  writeTree(root, { 'b.md': 'b', 'a/z.txt': 'z', 'a/B.txt': 'B', 'a/skip.lock': 'x', 'c/d/e.json': '{}', 'É.md': 'é' });
  fs.symlinkSync('b.md', path.join(root, 'link'));
  const skip = (rel: string) => rel.endsWith('.lock');
  const skipped: string[][] = [[], []];

  const full = await collect(walkTree(root, { skip, onSkip: (abs) => skipped[0]!.push(abs) }));
  const listed = await collect(walkTree(root, { skip, onSkip: (abs) => skipped[1]!.push(abs), lstatFiles: false }));

  expect(listed.map((e) => [e.rel, e.kind])).toEqual(full.map((e) => [e.rel, e.kind]));
  expect(skipped[1]).toEqual(skipped[0]);
  expect(skipped[0]).toEqual([path.join(root, 'a', 'skip.lock')]);
  for (const entry of listed) expect(entry.stat === undefined, entry.rel).toBe(entry.kind === 'file');
  expect(full.every((e) => e.stat !== undefined)).toBe(true);
});
