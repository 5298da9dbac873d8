import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { EntryGuard, MAX_PATH_BYTES, sawPaxGlobalHeader, tooLongReason } from '../../../src/core/reader/entry-guard.js';
import { craftTar } from '../../helpers/craft.js';
import { makeTempDir } from '../../helpers/fixture.js';

describe('names the system cannot create', () => {
  it('refuses a component over 255 bytes and a path over the limit, counting bytes, not characters', () => {
    expect(tooLongReason(`a/${'x'.repeat(255)}`)).toBeUndefined();
    expect(tooLongReason(`a/${'x'.repeat(256)}`)).toMatch(/component of 256 bytes/);
    expect(tooLongReason(`a/${'é'.repeat(128)}`)).toMatch(/component of 256 bytes/);
    const deep = Array.from({ length: 20 }, () => 'd'.repeat(200)).join('/');
    expect(tooLongReason(deep)).toMatch(new RegExp(`path of ${deep.length} bytes, longer than the ${MAX_PATH_BYTES}`));
    const guard = new EntryGuard();
    expect(guard.check(`s/${'x'.repeat(300)}`, { name: '', type: 'file' })).toEqual({
      reason: expect.stringMatching(/unsafe path \(path component of 300 bytes/),
    });
    expect(guard.check('s/link', { name: '', type: 'symlink', linkname: 't/'.repeat(2000) })).toEqual({
      reason: expect.stringMatching(/symlink target longer than/),
    });
  });
});

describe('PAX global headers', () => {
  it('tar-stream keeps a parsed global header in _paxGlobal (pinned: an upgrade that renames it must fail here)', async () => {
    const dir = makeTempDir('ocb-pax-');
    try {
      for (const [global, expected] of [
        [{ path: 'x/evil' }, true],
        [undefined, false],
      ] as const) {
        const file = craftTar({
          out: path.join(dir, 'g.tar'),
          gzip: false,
          ...(global ? { global } : {}),
          append: [
            { name: 'x', type: 'dir' },
            { name: 'x/a', data: '1' },
          ],
        });
        const extract = tar.extract();
        const seen: boolean[] = [];
        fs.createReadStream(file).pipe(extract);
        for await (const entry of extract) {
          seen.push(sawPaxGlobalHeader(extract));
          entry.resume();
        }
        expect(seen).toEqual([expected, expected]);
        // What GNU tar does with the same bytes: the global path renames every entry.
        const listed = execFileSync('tar', ['-tf', file], { encoding: 'utf8' });
        expect(listed.includes('x/a')).toBe(!expected);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
