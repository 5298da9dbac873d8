import { describe, expect, it } from 'vitest';
import { encodeSparseMap, readSparseHeader, SparseDecoder } from '../../../src/core/archive/sparse-map.js';

function decode(stored: Buffer, realSize: number, chunk = 7): { file: Buffer; problem: string | undefined } {
  const decoder = new SparseDecoder(realSize);
  const file = Buffer.alloc(realSize);
  for (let at = 0; at < stored.length; at += chunk) {
    for (const piece of decoder.push(stored.subarray(at, at + chunk))) piece.data.copy(file, piece.offset);
  }
  decoder.finish();
  return { file, problem: decoder.problem };
}

describe('GNU PAX sparse 1.0 map', () => {
  it('encodes as GNU tar does (a trailing hole ends in a zero-size region) and decodes back, in any chunking', () => {
    const map = encodeSparseMap([{ offset: 299008, size: 4096 }], 2097152);
    expect(map.length).toBe(512);
    expect(map.toString('latin1').replace(/\0+$/, '')).toBe('2\n299008\n4096\n2097152\n0\n');
    const data = Buffer.alloc(4096, 7);
    for (const chunk of [1, 7, 512, 100_000]) {
      const { file, problem } = decode(Buffer.concat([map, data]), 2097152, chunk);
      expect(problem).toBeUndefined();
      expect(file.subarray(299008, 299008 + 4096).equals(data)).toBe(true);
      expect(file.subarray(0, 299008).every((b) => b === 0)).toBe(true);
    }
    expect(encodeSparseMap([], 10).toString('latin1').replace(/\0+$/, '')).toBe('1\n10\n0\n');
  });

  it.each([
    ['overlapping regions', '2\n0\n10\n5\n10\n', 20, 20, /regions overlap/],
    ['a region past the real size', '1\n0\n30\n', 20, 30, /pass the real size/],
    ['less data than announced', '1\n0\n10\n', 20, 5, /less data than its map announces/],
    ['more data than announced', '1\n0\n10\n', 20, 15, /more data than its map announces/],
    ['a count that is not a number', 'x\n', 20, 0, /invalid region count/],
    ['a region that is not numbers', '1\n0\n1e3\n', 2000, 0, /not two decimal numbers/],
  ])('refuses %s', (_what, text, realSize, dataBytes, reason) => {
    const map = Buffer.alloc(512);
    map.write(text, 'latin1');
    expect(decode(Buffer.concat([map, Buffer.alloc(dataBytes, 1)]), realSize).problem).toMatch(reason);
  });

  it('refuses a map that never ends, and non-zero padding', () => {
    expect(decode(Buffer.from('3\n0\n'), 10).problem).toMatch(/ends inside its map/);
    const map = Buffer.alloc(512, 0x41);
    map.write('1\n0\n1\n', 'latin1');
    expect(decode(Buffer.concat([map, Buffer.from('x')]), 10).problem).toMatch(/padding is not zero/);
  });

  it('reads the PAX records: 1.0 only, named as its path, with a real size', () => {
    const pax = { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.name': 'a/b', 'GNU.sparse.realsize': '99' };
    expect(readSparseHeader(undefined, 'a/b')).toBeUndefined();
    expect(readSparseHeader({ path: 'a/b' }, 'a/b')).toBeUndefined();
    expect(readSparseHeader(pax, 'a/b')).toEqual({ realSize: 99 });
    expect(readSparseHeader({ ...pax, 'GNU.sparse.name': 'elsewhere' }, 'a/b')).toEqual({
      reason: 'sparse entry names itself "elsewhere", not its path: GNU tar would extract it elsewhere',
    });
    expect(readSparseHeader({ 'GNU.sparse.size': '10', 'GNU.sparse.numblocks': '1' }, 'a/b')).toMatchObject({
      reason: expect.stringMatching(/unsupported sparse format/),
    });
    expect(readSparseHeader({ ...pax, 'GNU.sparse.realsize': '-1' }, 'a/b')).toMatchObject({ reason: expect.stringMatching(/realsize/) });
  });
});
