import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyArchive } from '../../src/core/reader/verify-archive.js';
import { makeTempDir } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { fixtureWithArchive, snapshotTree } from '../helpers/tree.js';

let home: string;
let stateDir: string;
let gz: string;
let plain: string;

beforeAll(async () => {
  home = makeTempDir('ocb-corrupt-');
  ({ stateDir, archive: gz } = await fixtureWithArchive(home));
  plain = path.join(home, 'plain.tar');
  expect((await callCli(['create', '--output', plain, '--compress', 'none'], { env: { HOME: home } })).code).toBe(0);
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function flipped(file: string, offset: number): string {
  const bytes = Buffer.from(fs.readFileSync(file));
  bytes[offset] = (bytes[offset] as number) ^ 0x5a;
  const out = path.join(home, `flip-${path.basename(file)}-${offset}`);
  fs.writeFileSync(out, bytes);
  return out;
}

/**
 * Offsets of the bytes of an uncompressed tar that carry meaning: every header block (PAX ones included) and every
 * entry's data, except the manifest document's own bytes (it has no checksum of its own; see docs/archive-format.md).
 * Padding and the end-of-archive blocks are covered by nothing in any tar.
 */
function meaningfulRanges(file: string): Array<[number, number]> {
  const bytes = fs.readFileSync(file);
  const ranges: Array<[number, number]> = [];
  let offset = 0;
  while (offset + 512 <= bytes.length && bytes.subarray(offset, offset + 512).some((b) => b !== 0)) {
    const header = bytes.subarray(offset, offset + 512);
    const name = header.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    ranges.push([offset, offset + 512]);
    if (size && name !== 'openclaw-backup/manifest.json') ranges.push([offset + 512, offset + 512 + size]);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return ranges;
}

function spread(count: number, from: number, to: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.floor(from + ((to - from - 1) * i) / (count - 1)));
}

describe('corruption', () => {
  it('a flipped byte anywhere past the gzip header fails verify', async () => {
    // Bytes 4-9 of a gzip header (mtime, flags, OS) are covered by no checksum and change no content; skip them.
    const size = fs.statSync(gz).size;
    const offsets = [0, 1, 2, 3, ...spread(40, 10, size), size - 8, size - 4, size - 1];
    for (const offset of offsets) {
      const result = await verifyArchive(flipped(gz, offset));
      expect(result.ok, `offset ${offset}`).toBe(false);
      expect(result.problems[0]?.reason).toBeTruthy();
    }
  });

  it('a flipped byte in any header or content of an uncompressed archive fails verify', async () => {
    const ranges = meaningfulRanges(plain);
    const names = execFileSync('tar', ['-tf', plain], { encoding: 'utf8' }).trim().split('\n');
    expect(ranges.filter((r) => r[1] - r[0] === 512).length).toBeGreaterThan(names.length);
    const offsets = ranges.flatMap(([start, end], i) => (i % 3 === 0 ? [start, Math.floor((start + end) / 2), end - 1] : []));
    expect(offsets.length).toBeGreaterThan(40);
    for (const offset of offsets) {
      const result = await verifyArchive(flipped(plain, offset));
      expect(result.ok, `offset ${offset}`).toBe(false);
    }
  });

  it('truncation at any point fails verify', async () => {
    for (const file of [gz, plain]) {
      const bytes = fs.readFileSync(file);
      for (const length of spread(12, 1, bytes.length)) {
        const out = path.join(home, `trunc-${length}`);
        fs.writeFileSync(out, bytes.subarray(0, length));
        expect((await verifyArchive(out)).ok, `${path.basename(file)} cut at ${length}`).toBe(false);
      }
    }
  });

  it('restore refuses a corrupt, truncated or edited archive and leaves the live state unchanged', async () => {
    const before = snapshotTree(stateDir);
    const edited = path.join(home, 'edited.tar.gz');
    const unpacked = path.join(home, 'unpacked');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-C', unpacked, '-xzf', gz]);
    const db = path.join(unpacked, 'openclaw-backup/state/agents/main/agent/openclaw-agent.sqlite');
    const bytes = fs.readFileSync(db);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] as number) ^ 1;
    fs.writeFileSync(db, bytes);
    const names = execFileSync('tar', ['-tzf', gz], { encoding: 'utf8' });
    fs.writeFileSync(path.join(home, 'names'), names);
    execFileSync('tar', ['-C', unpacked, '--no-recursion', '-czf', edited, '-T', path.join(home, 'names')]);
    const truncated = path.join(home, 'truncated.tar.gz');
    fs.writeFileSync(truncated, fs.readFileSync(gz).subarray(0, 60_000));
    const cases: Array<[string, RegExp]> = [
      [edited, /openclaw-agent\.sqlite: SHA-256 does not match the manifest/],
      [truncated, /archive is truncated/],
      [flipped(gz, 5000), /compressed stream is corrupt|archive is truncated|tar structure is corrupt|SHA-256|failed integrity_check/],
    ];
    for (const [archive, reason] of cases) {
      const result = await callCli(['restore', archive], { env: { HOME: home } });
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(reason);
      expect(snapshotTree(stateDir)).toEqual(before);
      expect(fs.readdirSync(home).filter((n) => n.includes('rollback') || n.includes('restore-'))).toEqual([]);
    }
  });
});
