import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { isNeverArchived } from '../../../src/core/components.js';
import { createRng } from './rng.js';

export type TreeEntry =
  | { kind: 'file'; dirs: string[]; name: string; length: number; seed: number }
  | { kind: 'dir'; dirs: string[]; name: string }
  | { kind: 'symlink'; dirs: string[]; name: string; target: string }
  /** Mostly holes: a few random blocks in a file past the in-memory limit, so create stores it sparse. */
  | { kind: 'sparse'; dirs: string[]; name: string; length: number; seed: number }
  /** Random bytes under a database's name: stored as is, flagged, never a failure. */
  | { kind: 'fakedb'; dirs: string[]; name: string; length: number; seed: number };

const CHARS = Array.from('abcxyzABC019 -_.,()[]{}#@+=~\'"\\$&;éüß日本語🦀Ω\u00a0');

function byteLength(s: string): number {
  return Buffer.byteLength(s);
}

/** A file or directory name: short and odd (spaces, quotes, unicode) or long (over 100 bytes, up to 250). */
export const nameArb = fc
  .oneof(
    { weight: 6, arbitrary: fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 14 }).map((a) => a.join('')) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 101, max: 240 }), fc.constantFrom('n', 'ä', '語'))
        .map(([bytes, ch]) => `long-${ch.repeat(Math.floor((bytes - 5) / byteLength(ch)))}`),
    },
  )
  .filter((name) => name !== '.' && name !== '..' && byteLength(name) <= 250 && !isNeverArchived(`t/${name}`, name));

const dirsArb = fc.oneof(
  { weight: 5, arbitrary: fc.array(nameArb, { maxLength: 4 }) },
  // Deep nesting: a long chain of short directories, hundreds of bytes of path.
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 60 }).map((n) => Array.from({ length: n }, (_, i) => `d${i}`)) },
);

export const entryArb: fc.Arbitrary<TreeEntry> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('file' as const),
      dirs: dirsArb,
      name: nameArb,
      length: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 4097, max: 300_000 })),
      seed: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dir' as const), dirs: dirsArb, name: nameArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('sparse' as const),
      dirs: dirsArb,
      name: nameArb,
      length: fc.integer({ min: 9 << 20, max: 16 << 20 }),
      seed: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fakedb' as const),
      dirs: dirsArb,
      name: nameArb.filter((n) => byteLength(n) <= 240).map((n) => `${n}.sqlite`),
      length: fc.integer({ min: 1, max: 50_000 }),
      seed: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('symlink' as const),
      dirs: dirsArb,
      name: nameArb,
      target: fc.oneof(
        nameArb,
        fc.constant('../../outside/target'),
        fc.constant('/etc/hostname'),
        nameArb.map((n) => `/nonexistent/${n}`),
      ),
    }),
  },
);

export const treeArb = fc.array(entryArb, { minLength: 1, maxLength: 25 });

/** What the written trees contained, so the suite can prove the generator reached the hard cases. */
export interface TreeCoverage {
  longNames: number;
  longPaths: number;
  emptyFiles: number;
  symlinks: number;
  unicode: number;
  spaces: number;
  deep: number;
  sparse: number;
  fakeDatabases: number;
}

export function emptyCoverage(): TreeCoverage {
  return { longNames: 0, longPaths: 0, emptyFiles: 0, symlinks: 0, unicode: 0, spaces: 0, deep: 0, sparse: 0, fakeDatabases: 0 };
}

function count(coverage: TreeCoverage, entry: TreeEntry, rel: string): void {
  if (byteLength(entry.name) > 100) coverage.longNames += 1;
  if (byteLength(rel) > 100) coverage.longPaths += 1;
  if (entry.kind === 'file' && entry.length === 0) coverage.emptyFiles += 1;
  if (entry.kind === 'symlink') coverage.symlinks += 1;
  if (/[^\x00-\x7f]/.test(rel)) coverage.unicode += 1;
  if (rel.includes(' ')) coverage.spaces += 1;
  if (entry.dirs.length >= 20) coverage.deep += 1;
  if (entry.kind === 'sparse') coverage.sparse += 1;
  if (entry.kind === 'fakedb') coverage.fakeDatabases += 1;
}

/** A few seeded random 4 KiB blocks (one at offset 0, one unaligned short tail) in a file of holes. */
function writeSparse(abs: string, length: number, seed: number): void {
  const rng = createRng(seed);
  const fd = fs.openSync(abs, 'w');
  try {
    fs.writeSync(fd, rng.bytes(4096), 0, 4096, 0);
    fs.writeSync(fd, rng.bytes(3 * 4096), 0, 3 * 4096, Math.floor(length / 2 / 4096) * 4096);
    fs.writeSync(fd, rng.bytes(7), 0, 7, length - 4096 - 3);
    fs.ftruncateSync(fd, length);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes entries under root; entries that collide with an earlier one (a file where a dir should be) are dropped. */
export function writeRandomTree(root: string, entries: TreeEntry[], coverage = emptyCoverage()): number {
  let written = 0;
  for (const entry of entries) {
    const dir = path.join(root, ...entry.dirs);
    const abs = path.join(dir, entry.name);
    try {
      fs.mkdirSync(dir, { recursive: true });
      if (fs.existsSync(abs) || isSymlink(abs)) continue;
      if (entry.kind === 'file' || entry.kind === 'fakedb') fs.writeFileSync(abs, createRng(entry.seed).bytes(entry.length));
      else if (entry.kind === 'sparse') writeSparse(abs, entry.length, entry.seed);
      else if (entry.kind === 'dir') fs.mkdirSync(abs);
      else fs.symlinkSync(entry.target, abs);
      written += 1;
      count(coverage, entry, path.relative(root, abs));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTDIR' && code !== 'EEXIST') throw error;
    }
  }
  return written;
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
