import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/fixture.js';
import { extractWithTar, restoreCopy } from './helpers/archives.js';
import { crashSigns, describeRun, runCli } from './helpers/cli.js';
import { emptyCoverage, treeArb, writeRandomTree } from './helpers/random-tree.js';
import { scenarioSeed, suiteSeed } from './helpers/rng.js';
import { diffTrees, snapshotTree, unpackRealState } from './helpers/state.js';
import { createTally } from './helpers/summary.js';

/**
 * Scenario 4: random trees round-trip byte for byte (create → verify → GNU tar and restore), and random mutations
 * of real archives make verify and restore exit 0 or 3 — never crash, hang or write outside their scratch dir or
 * target — and verify exits 0 only when the content is unchanged.
 */
/** Files that took well under their size on disk in `from` but not in `to` (holes written as zeros). */
function holesLost(from: string, to: string, rel = ''): string[] {
  const lost: string[] = [];
  for (const name of fs.readdirSync(path.join(from, rel))) {
    const r = path.join(rel, name);
    const stat = fs.lstatSync(path.join(from, r));
    if (stat.isDirectory()) lost.push(...holesLost(from, to, r));
    else if (stat.isFile() && stat.size > 8 << 20 && stat.blocks * 512 < stat.size / 2) {
      const back = fs.lstatSync(path.join(to, r));
      if (back.blocks > stat.blocks + 128) lost.push(`${r}: ${stat.blocks * 512} bytes on disk, ${back.blocks * 512} after`);
    }
  }
  return lost;
}

const TREES = Number(process.env.RELIABILITY_TREES ?? 20);
const MUTATIONS = Number(process.env.RELIABILITY_MUTATIONS ?? 45);
const seed = scenarioSeed('property');
const tally = createTally('property');

let work: string;

beforeAll(() => {
  console.log(`[property] RELIABILITY_SEED=${suiteSeed()}, ${TREES} trees, ${MUTATIONS} mutations`);
  work = makeTempDir('ocb-rel-prop-');
});

afterAll(() => {
  tally.record();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('random trees round-trip through create, verify, GNU tar and restore', () => {
  it(`${TREES} random trees come back byte for byte`, async () => {
    let run = 0;
    const coverage = emptyCoverage();
    await fc.assert(
      fc.asyncProperty(treeArb, async (entries) => {
        const home = path.join(work, `tree-${run++}`);
        const stateDir = path.join(home, '.openclaw');
        fs.mkdirSync(stateDir, { recursive: true });
        fs.writeFileSync(path.join(stateDir, 'openclaw.json'), '{}');
        writeRandomTree(path.join(stateDir, 't'), entries, coverage);
        const env = { HOME: home };
        try {
          const out = path.join(home, 'out');
          fs.mkdirSync(out);
          const created = await runCli(['create', '--json', '--output', out], { env });
          expect(created.code, describeRun(['create'], created)).toBe(0);
          const archive = (JSON.parse(created.stdout) as { archive: string }).archive;
          const verified = await runCli(['verify', archive], { env });
          expect(verified.code, describeRun(['verify', archive], verified)).toBe(0);
          const dest = path.join(home, 'extracted');
          extractWithTar(archive, dest);
          const diffs = diffTrees(snapshotTree(path.join(stateDir, 't')), snapshotTree(path.join(dest, 'openclaw-backup', 'state', 't')));
          expect(diffs).toEqual([]);
          const restored = path.join(home, 'restored');
          await restoreCopy(archive, restored, { env });
          expect(diffTrees(snapshotTree(path.join(stateDir, 't')), snapshotTree(path.join(restored, 't'))), 'restore').toEqual([]);
          expect(holesLost(path.join(stateDir, 't'), path.join(restored, 't')), 'restore kept every sparse file sparse').toEqual([]);
          expect(
            holesLost(path.join(stateDir, 't'), path.join(dest, 'openclaw-backup', 'state', 't')),
            'GNU tar kept every sparse file sparse',
          ).toEqual([]);
          tally.counts.cases += 1;
          tally.counts.archives += 1;
        } finally {
          fs.rmSync(home, { recursive: true, force: true });
        }
      }),
      { seed, numRuns: TREES, endOnFailure: true },
    );
    console.log(`[property] trees covered: ${JSON.stringify(coverage)}`);
    // The generator must actually reach the hard cases, or the round trip proves little.
    for (const [what, n] of Object.entries(coverage)) expect(n, `no ${what} in ${TREES} trees`).toBeGreaterThan(0);
  });
});

type Mutation =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; bytes: number[] }
  | { kind: 'zero'; at: number; length: number }
  | { kind: 'tar-header'; block: number; field: number; value: number }
  | { kind: 'content'; entry: number; at: number; xor: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('extend' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 2048 }) }),
  fc.record({
    kind: fc.constant('zero' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 4096 }),
  }),
  // Header fields of a tar block (name, mode, size, checksum, type, linkname…) in an uncompressed archive.
  fc.record({
    kind: fc.constant('tar-header' as const),
    block: fc.nat(),
    field: fc.constantFrom(0, 50, 100, 124, 136, 148, 156, 157, 257, 345),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  // One byte inside a file's data in an uncompressed archive: only the manifest's SHA-256 can notice it.
  fc.record({
    kind: fc.constant('content' as const),
    entry: fc.nat(),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    xor: fc.integer({ min: 1, max: 255 }),
  }),
);

function mutate(original: Buffer, m: Mutation, headerBlocks: number[]): Buffer {
  const buf = Buffer.from(original);
  const offset = (at: number) => Math.min(buf.length - 1, Math.floor(at * buf.length));
  switch (m.kind) {
    case 'flip':
      buf[offset(m.at)] = (buf[offset(m.at)] as number) ^ m.xor;
      return buf;
    case 'truncate':
      return buf.subarray(0, offset(m.at));
    case 'extend':
      return Buffer.concat([buf, Buffer.from(m.bytes)]);
    case 'zero':
      buf.fill(0, offset(m.at), Math.min(buf.length, offset(m.at) + m.length));
      return buf;
    case 'tar-header': {
      const block = headerBlocks[m.block % headerBlocks.length] as number;
      buf[block * 512 + m.field] = m.value;
      return buf;
    }
    case 'content': {
      const bodies = headerBlocks
        .map((b) => ({
          start: (b + 1) * 512,
          size: parseInt(
            buf
              .toString('latin1', b * 512 + 124, b * 512 + 136)
              .replace(/\0.*$/, '')
              .trim() || '0',
            8,
          ),
        }))
        .filter((f) => f.size > 0 && buf[f.start - 512 + 156] !== 0x78 && f.start + f.size <= buf.length);
      const body = bodies[m.entry % Math.max(1, bodies.length)];
      const at = body ? body.start + Math.floor(m.at * body.size) : offset(m.at);
      buf[at] = (buf[at] as number) ^ m.xor;
      return buf;
    }
  }
}

/** 512-byte blocks of a plain tar that hold headers (ustar magic at 257). */
function findHeaderBlocks(tar: Buffer): number[] {
  const blocks: number[] = [];
  for (let b = 0; b * 512 + 512 <= tar.length; b += 1) if (tar.toString('latin1', b * 512 + 257, b * 512 + 262) === 'ustar') blocks.push(b);
  return blocks;
}

/** restore --target of a mutated archive: exit 0 or 3, one line, and nothing written beside the target. */
async function checkRestoreOfMutant(file: string, dir: string, context: string): Promise<void> {
  const before = fs.readdirSync(dir).sort();
  const target = path.join(dir, 'target');
  const args = ['restore', file, '--target', target];
  const result = await runCli(args, { env: { HOME: dir, TMPDIR: path.join(dir, 'tmp') }, cwd: dir, timeoutMs: 60_000 });
  const what = `${context}\nrestore: ${describeRun(args, result)}`;
  expect(crashSigns(result), what).toEqual([]);
  expect([0, 3], what).toContain(result.code);
  expect(
    fs
      .readdirSync(dir)
      .filter((n) => n !== 'target')
      .sort(),
    `${what}: restore wrote beside its target`,
  ).toEqual(before);
  expect(fs.readdirSync(path.join(dir, 'tmp')), `${what}: restore left scratch files`).toEqual([]);
  if (result.code === 3) expect(fs.existsSync(target), `${what}: a refused restore left its target behind`).toBe(false);
}

describe('random mutations of real archives', () => {
  const originals: Record<string, { file: string; tree: ReturnType<typeof snapshotTree> }> = {};
  let home: string;

  beforeAll(async () => {
    home = path.join(work, 'mutations');
    unpackRealState(home);
    // A sparse entry too, so mutations reach a sparse map and its data (GNU PAX sparse 1.0).
    const image = path.join(home, '.openclaw', 'workspace', 'sparse.img');
    fs.mkdirSync(path.dirname(image), { recursive: true });
    fs.writeFileSync(image, 'head of a sparse file');
    fs.truncateSync(image, 9 << 20);
    fs.appendFileSync(image, 'tail');
    for (const compress of ['gzip', 'none', 'zstd']) {
      const out = path.join(home, `orig-${compress}`);
      fs.mkdirSync(out);
      const created = await runCli(['create', '--json', '--compress', compress, '--output', out], { env: { HOME: home } });
      expect(created.code, describeRun(['create'], created)).toBe(0);
      const file = (JSON.parse(created.stdout) as { archive: string }).archive;
      const dest = path.join(home, `tree-${compress}`);
      extractWithTar(file, dest);
      originals[compress] = { file, tree: snapshotTree(dest) };
    }
  });

  it(`${MUTATIONS} mutations: verify and restore exit 0 or 3, never crash, hang or write outside, verify passes only unchanged content`, async () => {
    let run = 0;
    let passes = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('gzip', 'none', 'zstd'), mutationArb, async (compress, mutation) => {
        const original = originals[compress] as { file: string; tree: ReturnType<typeof snapshotTree> };
        const bytes = fs.readFileSync(original.file);
        const dir = path.join(work, `mut-${run++}`);
        const scratch = path.join(dir, 'tmp');
        fs.mkdirSync(scratch, { recursive: true });
        const file = path.join(dir, path.basename(original.file));
        fs.writeFileSync(file, mutate(bytes, mutation, findHeaderBlocks(bytes)));
        try {
          const args = ['verify', file];
          const result = await runCli(args, { env: { HOME: dir, TMPDIR: scratch }, cwd: dir, timeoutMs: 60_000 });
          const context = `${compress} ${JSON.stringify(mutation).slice(0, 200)}: ${describeRun(args, result)}`;
          expect(crashSigns(result), context).toEqual([]);
          expect([0, 3], context).toContain(result.code);
          if (result.code === 3) expect(result.stderr.trim().split('\n'), `${context}: one line`).toHaveLength(1);
          expect(fs.readdirSync(scratch), `${context}: verify left scratch files`).toEqual([]);
          expect(fs.readdirSync(dir).sort(), `${context}: verify wrote beside the archive`).toEqual([path.basename(file), 'tmp'].sort());
          if (result.code === 0) {
            passes += 1;
            // A pass must mean the content is what was backed up (GNU tar may still refuse odd but harmless bytes).
            const dest = path.join(dir, 'x');
            let extracted = true;
            try {
              extractWithTar(file, dest);
            } catch {
              extracted = false;
            }
            if (extracted) expect(diffTrees(original.tree, snapshotTree(dest)), `${context}: verify passed changed content`).toEqual([]);
          }
          await checkRestoreOfMutant(file, dir, context);
          tally.counts.cases += 1;
          tally.counts.archives += 1;
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      { seed, numRuns: MUTATIONS, endOnFailure: true },
    );
    console.log(`[property] mutations: ${passes} verified as sound, ${MUTATIONS - passes} rejected with exit 3`);
  });
});
