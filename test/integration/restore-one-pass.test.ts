import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { fixtureWithArchive, snapshotTree } from '../helpers/tree.js';

let home: string;
let stateDir: string;
let plain: string;

beforeAll(async () => {
  home = makeTempDir('ocb-onepass-');
  ({ stateDir, archive: plain } = await fixtureWithArchive(home, 'none'));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** Offset and name of the data of the last file before our manifest (the last thing one pass can check). */
function lastFileData(file: string): { offset: number; name: string } {
  const bytes = fs.readFileSync(file);
  let offset = 0;
  let last = { offset: -1, name: '' };
  while (offset + 512 <= bytes.length && bytes.subarray(offset, offset + 512).some((b) => b !== 0)) {
    const header = bytes.subarray(offset, offset + 512);
    const name = header.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] as number);
    if ((type === '0' || type === '\0') && size > 0 && name !== 'openclaw-backup/manifest.json')
      last = { offset: offset + 512 + Math.floor(size / 2), name };
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return last;
}

describe('one-pass restore', () => {
  it('a flipped byte in the last file is exit 3: the live state is untouched and the staging dir removed', async () => {
    const { offset, name } = lastFileData(plain);
    expect(offset).toBeGreaterThan(0);
    const bytes = Buffer.from(fs.readFileSync(plain));
    bytes[offset] = (bytes[offset] as number) ^ 0x5a;
    const bad = path.join(home, 'last-flipped.tar');
    fs.writeFileSync(bad, bytes);
    const before = snapshotTree(stateDir);
    const beside = () => fs.readdirSync(path.dirname(stateDir)).filter((n) => n.includes('restore-') || n.includes('rollback'));
    for (const args of [
      ['restore', bad],
      ['restore', bad, '--target', path.join(home, 'copy')],
    ]) {
      const result = await callCli(args, { env: { HOME: home } });
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      // Either the hash (a plain file) or the database check (a SQLite file) catches it; both name the entry.
      expect(result.stderr).toContain(path.basename(name));
      expect(result.stderr).toMatch(/SHA-256 does not match the manifest|failed integrity_check/);
      expect(snapshotTree(stateDir)).toEqual(before);
      expect(beside()).toEqual([]);
      expect(fs.existsSync(path.join(home, 'copy'))).toBe(false);
    }
  });
});
